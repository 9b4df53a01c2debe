package dev.herald.transport.nsq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.event.JsonEvents;
import dev.herald.tck.Collector;
import dev.herald.tck.DeliveryLog;
import dev.herald.tck.Outcome;
import dev.herald.tck.TestEvents;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.SubscriptionSpec;
import io.cloudevents.CloudEvent;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Figures, printed and written to {@code target/nsq-bench.txt}, <b>measured against {@link NsqProtocolDouble}, not
 * nsqd</b>: Herald's publish throughput of 1.5 KB events against the bare protocol client (PUB/MPUB of the same
 * bytes, encoded beforehand, waiting for nsqd's {@code OK} exactly as Herald does), and end-to-end latency from the
 * start of a publish call to the handler. The ratio says what Herald adds on top of the wire protocol; the absolute
 * numbers say little about a real nsqd. Sizes are small by default so the suite stays quick;
 * {@code -Dherald.nsq.bench.events=100000} for steadier figures.
 */
class NsqBenchmarkTest {

    private static final int EVENTS = Integer.getInteger("herald.nsq.bench.events", 10_000);
    private static final int BATCH = Integer.getInteger("herald.nsq.bench.batch", 100);
    private static final int EVENT_BYTES = 1_536;
    private static final int LATENCY_SAMPLES = Integer.getInteger("herald.nsq.bench.latency.samples", 200);

    @TempDir
    Path state;

    @Test
    void publishThroughputAgainstTheBareProtocolClientAndEndToEndLatency() throws Exception {
        String run = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> lines = new ArrayList<>();
        try (NsqProtocolDouble nsqd = NsqProtocolDouble.start();
             NsqTransport transport = NsqTransport.open(nsqd.options(state));
             Publisher raw = new Publisher(nsqd.options(state), "bench-raw")) {
            String topic = run + "-publish";
            List<CloudEvent> events = new ArrayList<>(EVENTS);
            for (int i = 0; i < EVENTS; i++) {
                events.add(TestEvents.ofStructuredSize(run, i, EVENT_BYTES));
            }
            List<byte[]> bodies = events.stream().map(JsonEvents::write).toList();

            NsqHttp http = new NsqHttp(nsqd.options(state));
            double rawBest = 0;
            double inlineBest = 0;
            double heraldBest = 0;
            for (int round = 0; round < 4; round++) { // round 0 warms up; then best of 3, interleaved
                double rawRate = rate(() -> inBatches(bodies, batch -> raw.publish(topic, batch)));
                double inlineRate = rate(() -> inBatches(events,
                        batch -> raw.publish(topic, batch.stream().map(JsonEvents::write).toList())));
                double heraldRate = rate(() -> inBatches(events, batch -> transport.publish(topic, EncodedEvent.all(batch))));
                http.deleteTopic(topic); // the double keeps a topic's messages in memory
                if (round > 0) {
                    rawBest = Math.max(rawBest, rawRate);
                    inlineBest = Math.max(inlineBest, inlineRate);
                    heraldBest = Math.max(heraldBest, heraldRate);
                }
            }
            lines.add("AGAINST THE PROTOCOL TEST DOUBLE, NOT nsqd: the ratio is what Herald adds to the wire protocol");
            lines.add(String.format(Locale.ROOT, "publish: %d events of %d B (structured JSON), one thread, MPUBs of %d "
                    + "each waiting for nsqd's OK", EVENTS, EVENT_BYTES, BATCH));
            lines.add(String.format(Locale.ROOT, "  bare protocol client, bodies encoded beforehand: %,.0f events/s", rawBest));
            lines.add(String.format(Locale.ROOT, "  bare protocol client + JSON encoding in the loop: %,.0f events/s", inlineBest));
            lines.add(String.format(Locale.ROOT, "  Herald NsqTransport.publish: %,.0f events/s (ratio %.2f to the first, "
                    + "%.2f to the second)", heraldBest, heraldBest / rawBest, heraldBest / inlineBest));
            lines.addAll(latency(transport, run));
        }
        lines.forEach(line -> System.out.println("[herald-nsq bench] " + line));
        Path target = Path.of("target");
        if (Files.isDirectory(target)) {
            Files.write(target.resolve("nsq-bench.txt"), lines);
        }
    }

    private List<String> latency(NsqTransport transport, String run) throws Exception {
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
                CloudEvent event = TestEvents.ofStructuredSize(run, i, EVENT_BYTES);
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
                String.format(Locale.ROOT, "latency: %d lone events, one publish call each", LATENCY_SAMPLES),
                String.format(Locale.ROOT, "  publish call (until OK): p50 %.2f ms, p99 %.2f ms",
                        millis(publishNanos, 0.50), millis(publishNanos, 0.99)),
                String.format(Locale.ROOT, "  publish -> handler: p50 %.2f ms, p99 %.2f ms",
                        millis(endToEnd, 0.50), millis(endToEnd, 0.99)));
    }

    private static <T> void inBatches(List<T> items, java.util.function.Consumer<List<T>> publish) {
        for (int from = 0; from < items.size(); from += BATCH) {
            publish.accept(items.subList(from, Math.min(from + BATCH, items.size())));
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
