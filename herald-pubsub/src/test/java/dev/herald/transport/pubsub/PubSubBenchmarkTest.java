package dev.herald.transport.pubsub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.api.core.ApiFuture;
import com.google.api.core.ApiFutures;
import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.TopicName;
import dev.herald.tck.Collector;
import dev.herald.tck.DeliveryLog;
import dev.herald.tck.Outcome;
import dev.herald.tck.TestEvents;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.SubscriptionSpec;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
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
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Figures, printed and written to {@code target/pubsub-bench.txt}: Herald's publish throughput of 1.5 KB events
 * against the raw {@code google-cloud-pubsub} {@code Publisher} with the same settings (a second instance of the
 * transport's publisher configuration: batching, flow control, message ordering) and the same pattern (calls of
 * {@code BATCH} events, each waiting for Pub/Sub's acks), in the same run, interleaved; and end-to-end latency from
 * the start of a publish call to the handler. Against the emulator the figures measure the client side and the
 * emulator, not Google's servers. Sizes are small by default so the suite stays quick;
 * {@code -Dherald.pubsub.bench.events=100000} for real figures.
 */
class PubSubBenchmarkTest {

    private static final int EVENTS = Integer.getInteger("herald.pubsub.bench.events", 3_000);
    private static final int BATCH = Integer.getInteger("herald.pubsub.bench.batch", 500);
    private static final int LATENCY_SAMPLES = Integer.getInteger("herald.pubsub.bench.latency.samples", 100);
    private static final int EVENT_BYTES = 1536;

    @Test
    void publishThroughputAgainstTheRawPublisherAndEndToEndLatency() throws Exception {
        String run = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        PubSubOptions options = PubSubEmulator.options();
        List<String> lines = new ArrayList<>();
        try (PubSubTransport transport = PubSubTransport.open(options);
             PubSubClients raw = new PubSubClients(options)) {
            lines.add(String.format(Locale.ROOT, "publish: %d events of %d B (structured JSON size; binary mode on the "
                    + "wire), one thread, calls of %d each waiting for Pub/Sub's acks; batches of up to %d messages, "
                    + "%s delay, message ordering on", EVENTS, EVENT_BYTES, BATCH, options.publishBatchSize(),
                    options.publishBatchDelay()));
            lines.addAll(throughput(transport, raw, options, run + "-keys", "one ordering key per event",
                    seq -> TestEvents.ofStructuredSize(run, seq, EVENT_BYTES)));
            lines.addAll(throughput(transport, raw, options, run + "-project", "one ordering key (one project) for all",
                    seq -> CloudEventBuilder.v1(TestEvents.ofStructuredSize(run, seq, EVENT_BYTES))
                            .withExtension("project", "gid://gitlab/Project/392359").build()));
            lines.addAll(latency(transport, run));
        }
        lines.forEach(line -> System.out.println("[herald-pubsub bench] " + line));
        writeReport(lines);
    }

    private static List<String> throughput(PubSubTransport transport, PubSubClients raw, PubSubOptions options,
                                           String topic, String keys, Function<Integer, CloudEvent> event) {
        List<CloudEvent> events = IntStream.range(0, EVENTS).mapToObj(event::apply).toList();
        transport.publish(topic, EncodedEvent.all(events.subList(0, 1))); // creates the topic
        TopicName target = new Names(options.project(), options.prefix()).topic(topic);
        List<PubsubMessage> messages = events.stream().map(e -> EventCodec.encode(e).build()).toList();
        double rawBest = 0;
        double inlineBest = 0;
        double heraldBest = 0;
        for (int round = 0; round < 4; round++) { // round 0 warms up; then best of 3, interleaved
            double rawRate = rate(() -> sendRaw(raw, target, messages));
            double inlineRate = rate(() -> sendRaw(raw, target, events.stream().map(e -> EventCodec.encode(e).build()).toList()));
            double heraldRate = rate(() -> publishHerald(transport, topic, events));
            if (round > 0) {
                rawBest = Math.max(rawBest, rawRate);
                inlineBest = Math.max(inlineBest, inlineRate);
                heraldBest = Math.max(heraldBest, heraldRate);
            }
        }
        return List.of(
                String.format(Locale.ROOT, "  %s:", keys),
                String.format(Locale.ROOT, "    raw Publisher, messages encoded beforehand: %,.0f events/s", rawBest),
                String.format(Locale.ROOT, "    raw Publisher + CloudEvents binding encoding in the loop: %,.0f events/s",
                        inlineBest),
                String.format(Locale.ROOT, "    Herald PubSubTransport.publish: %,.0f events/s (ratio %.2f to the first, "
                        + "%.2f to the second)", heraldBest, heraldBest / rawBest, heraldBest / inlineBest));
    }

    private static List<String> latency(PubSubTransport transport, String run) throws Exception {
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
            for (int i = 0; i < LATENCY_SAMPLES + 20; i++) {
                CloudEvent event = TestEvents.ofStructuredSize(run, i, EVENT_BYTES);
                long start = System.nanoTime();
                transport.publish(topic, EncodedEvent.all(List.of(event)));
                if (i >= 20) { // the first 20 warm up
                    started.put(event.getId(), start);
                    publishNanos[i - 20] = System.nanoTime() - start;
                }
                Thread.sleep(5);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> handled.keySet().containsAll(started.keySet()));
            assertThat(collector.log().failures()).isEmpty();
        }
        transport.deleteSubscription(spec.name());
        long[] endToEnd = started.entrySet().stream().mapToLong(e -> handled.get(e.getKey()) - e.getValue()).sorted().toArray();
        Arrays.sort(publishNanos);
        assertThat(endToEnd).hasSize(LATENCY_SAMPLES);
        return List.of(
                String.format(Locale.ROOT, "latency: %d lone events, one publish call each", LATENCY_SAMPLES),
                String.format(Locale.ROOT, "  publish call (until Pub/Sub's ack): p50 %.2f ms, p99 %.2f ms",
                        millis(publishNanos, 0.50), millis(publishNanos, 0.99)),
                String.format(Locale.ROOT, "  publish -> handler: p50 %.2f ms, p99 %.2f ms",
                        millis(endToEnd, 0.50), millis(endToEnd, 0.99)));
    }

    private static void sendRaw(PubSubClients raw, TopicName topic, List<PubsubMessage> messages) {
        try {
            for (int from = 0; from < messages.size(); from += BATCH) {
                List<ApiFuture<String>> sends = new ArrayList<>(BATCH);
                for (PubsubMessage message : messages.subList(from, Math.min(from + BATCH, messages.size()))) {
                    sends.add(raw.publish(topic, message));
                }
                ApiFutures.allAsList(sends).get();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void publishHerald(PubSubTransport transport, String topic, List<CloudEvent> events) {
        for (int from = 0; from < events.size(); from += BATCH) {
            transport.publish(topic, EncodedEvent.all(events.subList(from, Math.min(from + BATCH, events.size()))));
        }
    }

    private static double rate(Runnable body) {
        long start = System.nanoTime();
        body.run();
        return EVENTS / ((System.nanoTime() - start) / 1e9);
    }

    private static double millis(long[] sorted, double quantile) {
        int index = (int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }

    private static void writeReport(List<String> lines) throws IOException {
        Path target = Path.of("target");
        if (Files.isDirectory(target)) {
            Files.write(target.resolve("pubsub-bench.txt"), lines);
        }
    }
}
