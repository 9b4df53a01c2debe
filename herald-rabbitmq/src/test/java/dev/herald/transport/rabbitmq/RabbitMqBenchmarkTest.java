package dev.herald.transport.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.herald.event.JsonEvents;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Figures, printed and written to {@code target/rabbitmq-bench.txt}: Herald's publish throughput of 1.5 KB fat
 * events against the raw {@code amqp-client} publisher with the same durability in the same run (persistent
 * messages into the same exchange, routed to the same stream and quorum queue, on a confirm-mode channel,
 * calls of the same size each waiting for their confirms), and end-to-end latency from the start of a publish
 * call to the handler. Sizes are small by default so the suite stays quick;
 * {@code -Dherald.rabbitmq.bench.events=50000} for real figures.
 */
class RabbitMqBenchmarkTest {

    private static final int EVENTS = Integer.getInteger("herald.rabbitmq.bench.events", 2_000);
    private static final int BATCH = Integer.getInteger("herald.rabbitmq.bench.batch", 100);
    private static final int LATENCY_SAMPLES = Integer.getInteger("herald.rabbitmq.bench.latency.samples", 200);
    private static final int EVENT_BYTES = 1536;
    private static final RabbitMqOptions OPTIONS = RabbitMqTestBroker.options("bench");

    @AfterAll
    static void deleteQueuesAndExchanges() throws Exception {
        RabbitMqTestBroker.deleteEverything(OPTIONS);
    }

    @Test
    void publishThroughputAgainstTheRawClientAndEndToEndLatency() throws Exception {
        List<String> lines = new ArrayList<>();
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(OPTIONS.uri());
        try (RabbitMqTransport transport = RabbitMqTransport.open(OPTIONS);
             Connection connection = factory.newConnection("herald-bench-raw")) {
            String topic = "publish";
            // One subscription: every publish lands in the topic's stream and one quorum queue, for both sides.
            transport.createSubscription(SubscriptionSpec.of("publish-sub", topic));
            List<CloudEvent> events = new ArrayList<>();
            for (int i = 0; i < EVENTS; i++) {
                events.add(TestEvents.ofStructuredSize("bench", i, EVENT_BYTES));
            }
            String exchange = new Names(OPTIONS.prefix()).exchange(topic);
            Instant now = Instant.now();
            List<EncodedEvent> encoded = EncodedEvent.all(events);
            List<byte[]> bodies = encoded.stream().map(EncodedEvent::json).toList();
            List<AMQP.BasicProperties> props = encoded.stream().map(e -> Messages.published(e, now)).toList();
            Channel raw = connection.createChannel();
            raw.confirmSelect();

            double rawBest = 0;
            double inlineBest = 0;
            double heraldBest = 0;
            double encodeBest = 0;
            for (int round = 0; round < 4; round++) { // round 0 warms up; then best of 3, interleaved
                double rawRate = rate(() -> publishRaw(raw, exchange, props, bodies));
                double inlineRate = rate(() -> publishRaw(raw, exchange, props, new java.util.AbstractList<>() {
                    @Override
                    public byte[] get(int index) {
                        return JsonEvents.write(events.get(index));
                    }

                    @Override
                    public int size() {
                        return events.size();
                    }
                }));
                double heraldRate = rate(() -> publishHerald(transport, topic, events));
                double encodeRate = rate(() -> events.forEach(JsonEvents::write));
                if (round > 0) {
                    rawBest = Math.max(rawBest, rawRate);
                    inlineBest = Math.max(inlineBest, inlineRate);
                    heraldBest = Math.max(heraldBest, heraldRate);
                    encodeBest = Math.max(encodeBest, encodeRate);
                }
            }
            lines.add(String.format(Locale.ROOT, "publish: %d events of %d B (structured CloudEvents JSON), one thread, "
                    + "calls of %d each waiting for publisher confirms; persistent, stream + quorum queue",
                    EVENTS, EVENT_BYTES, BATCH));
            lines.add(String.format(Locale.ROOT, "  raw amqp-client, bodies encoded beforehand: %,.0f events/s", rawBest));
            lines.add(String.format(Locale.ROOT, "  raw amqp-client + the same JSON encoding in the loop: %,.0f events/s",
                    inlineBest));
            lines.add(String.format(Locale.ROOT, "  Herald RabbitMqTransport.publish: %,.0f events/s (ratio %.2f to the "
                    + "first, %.2f to the second)", heraldBest, heraldBest / rawBest, heraldBest / inlineBest));
            lines.add(String.format(Locale.ROOT, "  encoding alone (CloudEvent to JSON body): %,.0f events/s", encodeBest));
            lines.addAll(latency(transport));
        }
        lines.forEach(line -> System.out.println("[herald-rabbitmq bench] " + line));
        Path target = Path.of("target");
        if (Files.isDirectory(target)) {
            Files.write(target.resolve("rabbitmq-bench.txt"), lines);
        }
    }

    private List<String> latency(RabbitMqTransport transport) throws Exception {
        String topic = "latency";
        SubscriptionSpec spec = SubscriptionSpec.of("latency-sub", topic);
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
                CloudEvent event = TestEvents.ofStructuredSize("latency", i, EVENT_BYTES);
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
        long[] endToEnd = started.entrySet().stream().mapToLong(e -> handled.get(e.getKey()) - e.getValue())
                .sorted().toArray();
        Arrays.sort(publishNanos);
        assertThat(endToEnd).hasSize(LATENCY_SAMPLES);
        return List.of(
                String.format(Locale.ROOT, "latency: %d lone events of %d B, one publish call each", LATENCY_SAMPLES,
                        EVENT_BYTES),
                String.format(Locale.ROOT, "  publish call (until confirmed): p50 %.2f ms, p99 %.2f ms",
                        millis(publishNanos, 0.50), millis(publishNanos, 0.99)),
                String.format(Locale.ROOT, "  publish -> handler: p50 %.2f ms, p99 %.2f ms",
                        millis(endToEnd, 0.50), millis(endToEnd, 0.99)));
    }

    private static void publishRaw(Channel channel, String exchange, List<AMQP.BasicProperties> props,
                                   List<byte[]> bodies) {
        try {
            for (int from = 0; from < bodies.size(); from += BATCH) {
                for (int i = from; i < Math.min(from + BATCH, bodies.size()); i++) {
                    channel.basicPublish(exchange, "", props.get(i), bodies.get(i));
                }
                channel.waitForConfirmsOrDie(30_000);
            }
        } catch (IOException | InterruptedException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void publishHerald(RabbitMqTransport transport, String topic, List<CloudEvent> events) {
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
}
