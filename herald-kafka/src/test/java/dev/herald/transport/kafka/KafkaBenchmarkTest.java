package dev.herald.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.tck.Collector;
import dev.herald.tck.DeliveryLog;
import dev.herald.tck.Outcome;
import dev.herald.tck.TestEvents;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.SubscriptionSpec;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Figures, printed and written to {@code target/kafka-bench.txt}: Herald's publish throughput
 * against the raw {@code kafka-clients} producer sending the same records with the same settings
 * (the transport's own producer configuration, the same batch-then-wait-for-acks pattern), and
 * end-to-end latency from the start of a publish call to the handler. Sizes are small by default
 * so the suite stays quick; {@code -Dherald.kafka.bench.events=100000} for real figures.
 */
@ExtendWith(KafkaBroker.class)
@Order(4)
class KafkaBenchmarkTest {

    private static final int EVENTS = Integer.getInteger("herald.kafka.bench.events", 10_000);
    private static final int BATCH = Integer.getInteger("herald.kafka.bench.batch", 500);
    private static final int LATENCY_SAMPLES = Integer.getInteger("herald.kafka.bench.latency.samples", 200);

    @Test
    void publishThroughputAgainstTheRawProducerAndEndToEndLatency() throws Exception {
        String run = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        KafkaOptions options = KafkaBroker.options().build();
        List<String> lines = new ArrayList<>();
        try (KafkaTransport transport = KafkaTransport.open(options);
             KafkaProducer<byte[], byte[]> raw = new KafkaClients(options).producer()) {
            String topic = run + "-publish";
            List<CloudEvent> events = TestEvents.probes(run, EVENTS);
            List<EncodedEvent> encoded = EncodedEvent.all(events); // as the core hands them to every transport
            transport.publish(topic, encoded.subList(0, 1)); // creates the topic
            EventCodec codec = new EventCodec(options.encoding());
            List<ProducerRecord<byte[], byte[]>> records = encoded.stream().map(e -> codec.record(topic, e)).toList();
            int recordBytes = records.get(0).value().length + Arrays.stream(records.get(0).headers().toArray())
                    .mapToInt(h -> h.key().length() + h.value().length).sum();

            double rawBest = 0;
            double inlineBest = 0;
            double heraldBest = 0;
            double encodeBest = 0;
            for (int round = 0; round < 4; round++) { // round 0 warms up; then best of 3, interleaved
                double rawRate = rate(EVENTS, () -> sendRaw(raw, records));
                double inlineRate = rate(EVENTS, () -> sendEncoding(raw, codec, topic, encoded));
                double heraldRate = rate(EVENTS, () -> publishHerald(transport, topic, encoded));
                double encodeRate = rate(EVENTS, () -> encoded.forEach(e -> codec.record(topic, e)));
                if (round > 0) {
                    rawBest = Math.max(rawBest, rawRate);
                    inlineBest = Math.max(inlineBest, inlineRate);
                    heraldBest = Math.max(heraldBest, heraldRate);
                    encodeBest = Math.max(encodeBest, encodeRate);
                }
            }
            lines.add(String.format(Locale.ROOT, "publish: %d events of ~%d B (binary mode), one thread, calls of %d "
                    + "each waiting for its acks; acks=all, idempotent, linger.ms=5", EVENTS, recordBytes, BATCH));
            lines.add(String.format(Locale.ROOT, "  raw kafka-clients producer, records encoded beforehand: %,.0f events/s",
                    rawBest));
            lines.add(String.format(Locale.ROOT, "  raw producer + cloudevents-kafka encoding in the loop: %,.0f events/s",
                    inlineBest));
            lines.add(String.format(Locale.ROOT, "  Herald KafkaTransport.publish: %,.0f events/s (ratio %.2f to the first, "
                    + "%.2f to the second)", heraldBest, heraldBest / rawBest, heraldBest / inlineBest));
            lines.add(String.format(Locale.ROOT, "  encoding alone (CloudEvent to record): %,.0f events/s", encodeBest));

            lines.addAll(latency(transport, run, "linger.ms=5 (default)"));
        }
        try (KafkaTransport eager = KafkaTransport.open(KafkaBroker.options().producerProperty("linger.ms", 0).build())) {
            lines.addAll(latency(eager, run + "-eager", "linger.ms=0"));
        }
        lines.forEach(line -> System.out.println("[herald-kafka bench] " + line));
        writeReport(lines);
    }

    private List<String> latency(KafkaTransport transport, String run, String setting) throws Exception {
        String topic = run + "-latency";
        SubscriptionSpec spec = SubscriptionSpec.of(run + "-latency-sub", topic);
        transport.createSubscription(spec);
        Map<String, Long> handled = new ConcurrentHashMap<>();
        Map<String, Long> started = new ConcurrentHashMap<>();
        long[] publishNanos = new long[LATENCY_SAMPLES];
        try (Collector collector = Collector.start(transport, spec.name(), "latency", d -> {
            handled.putIfAbsent(d.event().getId(), System.nanoTime());
            return Outcome.ack();
        }, new DeliveryLog(), 100)) {
            // One event per call, paced: latency of a lone event, not of a queue.
            for (int i = 0; i < LATENCY_SAMPLES + 50; i++) {
                CloudEvent event = TestEvents.probe(run, i);
                long start = System.nanoTime();
                transport.publish(topic, EncodedEvent.all(List.of(event)));
                if (i >= 50) { // the first 50 warm up
                    started.put(event.getId(), start);
                    publishNanos[i - 50] = System.nanoTime() - start;
                }
                Thread.sleep(3);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> handled.keySet().containsAll(started.keySet()));
            assertThat(collector.log().failures()).isEmpty();
        }
        transport.deleteSubscription(spec.name());
        long[] endToEnd = started.entrySet().stream().mapToLong(e -> handled.get(e.getKey()) - e.getValue()).sorted().toArray();
        Arrays.sort(publishNanos);
        assertThat(endToEnd).hasSize(LATENCY_SAMPLES);
        return List.of(
                String.format(Locale.ROOT, "latency, %s: %d lone events, one publish call each", setting, LATENCY_SAMPLES),
                String.format(Locale.ROOT, "  publish call (until acks=all): p50 %.2f ms, p99 %.2f ms",
                        millis(publishNanos, 0.50), millis(publishNanos, 0.99)),
                String.format(Locale.ROOT, "  publish -> handler: p50 %.2f ms, p99 %.2f ms",
                        millis(endToEnd, 0.50), millis(endToEnd, 0.99)));
    }

    private static void sendRaw(KafkaProducer<byte[], byte[]> producer, List<ProducerRecord<byte[], byte[]>> records) {
        try {
            for (int from = 0; from < records.size(); from += BATCH) {
                List<Future<RecordMetadata>> sends = new ArrayList<>(BATCH);
                for (ProducerRecord<byte[], byte[]> record : records.subList(from, Math.min(from + BATCH, records.size()))) {
                    sends.add(producer.send(record));
                }
                for (Future<RecordMetadata> send : sends) {
                    send.get();
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sendEncoding(KafkaProducer<byte[], byte[]> producer, EventCodec codec, String topic,
                                     List<EncodedEvent> events) {
        try {
            for (int from = 0; from < events.size(); from += BATCH) {
                List<Future<RecordMetadata>> sends = new ArrayList<>(BATCH);
                for (EncodedEvent event : events.subList(from, Math.min(from + BATCH, events.size()))) {
                    sends.add(producer.send(codec.record(topic, event)));
                }
                for (Future<RecordMetadata> send : sends) {
                    send.get();
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void publishHerald(KafkaTransport transport, String topic, List<EncodedEvent> events) {
        for (int from = 0; from < events.size(); from += BATCH) {
            transport.publish(topic, events.subList(from, Math.min(from + BATCH, events.size())));
        }
    }

    private static double rate(int count, Runnable body) {
        long start = System.nanoTime();
        body.run();
        return count / ((System.nanoTime() - start) / 1e9);
    }

    private static double millis(long[] sorted, double quantile) {
        int index = (int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }

    private static void writeReport(List<String> lines) throws IOException {
        Path target = Path.of("target");
        if (Files.isDirectory(target)) {
            Files.write(target.resolve("kafka-bench.txt"), lines);
        }
    }
}
