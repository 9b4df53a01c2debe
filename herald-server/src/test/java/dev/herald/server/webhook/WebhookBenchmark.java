package dev.herald.server.webhook;

import dev.herald.server.subscriptions.Api;
import dev.herald.server.subscriptions.Sink;
import dev.herald.server.subscriptions.TestEvents;
import dev.herald.server.subscriptions.TestServer;
import io.cloudevents.CloudEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Webhook delivery throughput and latency on this machine: the embedded store, the subscriptions
 * module and a local sink (JDK HTTP server) in one JVM, over loopback HTTP with signing on.
 *
 * <pre>
 * java ... dev.herald.server.webhook.WebhookBenchmark [events] [concurrency] [latencyRatePerSecond] [latencySeconds]
 * </pre>
 *
 * <ol>
 *   <li>Throughput: {@code events} are published while the subscription is paused, then it is resumed
 *       and the time until the sink received them all gives deliveries per second.</li>
 *   <li>Latency: events are published one by one at a fixed rate; each one's time from publish
 *       (returned, durable) to the sink receiving its request gives p50, p99 and max.</li>
 * </ol>
 */
public final class WebhookBenchmark {

    /** What a run measured. */
    public record Figures(int events, int concurrency, double deliveriesPerSecond, int latencyEvents,
                          double ratePerSecond, double p50Millis, double p99Millis, double maxMillis) {
        @Override
        public String toString() {
            return String.format("webhook throughput: %,d deliveries in a backlog, concurrency %d: %,.0f deliveries/s%n"
                            + "webhook latency at %,.0f events/s (%,d events, publish -> sink): p50 %.2f ms, "
                            + "p99 %.2f ms, max %.2f ms", events, concurrency, deliveriesPerSecond, ratePerSecond,
                    latencyEvents, p50Millis, p99Millis, maxMillis);
        }
    }

    private WebhookBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int rate = args.length > 2 ? Integer.parseInt(args[2]) : 500;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        Path dir = Files.createTempDirectory("herald-webhook-bench");
        System.out.println(run(dir, events, concurrency, rate, seconds));
    }

    public static Figures run(Path dir, int events, int concurrency, int rate, int seconds) throws Exception {
        try (Sink sink = new Sink(); TestServer server = new TestServer(dir, TestServer.settings().build())) {
            sink.recording(false);
            Map<String, Long> publishedAt = new ConcurrentHashMap<>();
            List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
            AtomicInteger delivered = new AtomicInteger();
            CountDownLatch[] done = {new CountDownLatch(events)};
            sink.respond(request -> {
                Long sent = publishedAt.remove(request.header("webhook-id"));
                if (sent != null) {
                    latencies.add(request.receivedNanos() - sent);
                }
                delivered.incrementAndGet();
                done[0].countDown();
                return Sink.Reply.status(204);
            });
            Api api = server.admin();
            Api.Response created = api.post("/v1/subscriptions", Map.of("types", List.of(TestEvents.PIPELINE_CREATED),
                    "sink", sink.url(), "delivery", Map.of("concurrency", concurrency)));
            if (created.status() != 201) {
                throw new IllegalStateException("cannot create the subscription: " + created);
            }
            String id = created.text("id");

            // 1. Throughput: drain a backlog.
            expect(api.post("/v1/subscriptions/" + id + "/pause", null), "paused");
            List<CloudEvent> batch = new ArrayList<>();
            for (int i = 0; i < events; i++) {
                batch.add(TestEvents.of(TestEvents.PIPELINE_CREATED));
                if (batch.size() == 500 || i == events - 1) {
                    server.store().publish(batch);
                    batch.clear();
                }
            }
            long start = System.nanoTime();
            expect(api.post("/v1/subscriptions/" + id + "/resume", null), "active");
            if (!done[0].await(Math.max(60, events / 50), TimeUnit.SECONDS)) {
                throw new IllegalStateException("only " + delivered.get() + " of " + events + " delivered: "
                        + api.get("/v1/subscriptions/" + id));
            }
            double perSecond = events / ((System.nanoTime() - start) / 1e9);

            // 2. Latency at a fixed publish rate.
            int latencyEvents = rate * seconds;
            done[0] = new CountDownLatch(latencyEvents);
            long interval = TimeUnit.SECONDS.toNanos(1) / rate;
            long next = System.nanoTime();
            for (int i = 0; i < latencyEvents; i++) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                next += interval;
                CloudEvent event = TestEvents.of(TestEvents.PIPELINE_CREATED);
                long before = System.nanoTime();
                publishedAt.put(event.getId(), before);
                server.store().publish(event);
            }
            if (!done[0].await(2, TimeUnit.MINUTES)) {
                throw new IllegalStateException("latency phase: events missing");
            }
            long[] sorted;
            synchronized (latencies) {
                sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            }
            return new Figures(events, concurrency, perSecond, sorted.length, rate, percentile(sorted, 0.50),
                    percentile(sorted, 0.99), sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6);
        }
    }

    private static void expect(Api.Response response, String status) {
        if (response.status() != 200 || !response.text("status").equals(status)) {
            throw new IllegalStateException("expected a " + status + " subscription: " + response);
        }
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }

}
