package dev.herald.bench;

import dev.herald.schema.SchemaRegistry;
import dev.herald.store.EventStore;
import dev.herald.store.SubscribeOptions;
import dev.herald.transport.StartPosition;
import dev.herald.transport.Transport;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** The Herald measurements: publish throughput and publish-to-handler latency through an {@link EventStore}. */
final class HeraldRuns {

    private HeraldRuns() {
    }

    static EventStore store(Transport transport, SchemaRegistry registry) {
        return EventStore.builder(transport, registry).meterRegistry(new SimpleMeterRegistry()).build();
    }

    /**
     * {@code publishers} platform threads, each calling {@code store.publish(event)} for its share of
     * {@code events}, one event per call, all started together.
     *
     * @return the elapsed nanoseconds until the last publish returned
     */
    static long publishConcurrently(EventStore store, List<CloudEvent> events, int publishers) throws Exception {
        int workers = Math.min(publishers, events.size());
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(workers,
                Thread.ofPlatform().name("bench-publisher-", 0).factory())) {
            List<Future<?>> futures = new ArrayList<>(workers);
            for (int t = 0; t < workers; t++) {
                List<CloudEvent> share = RawSqlite.share(events, t, workers);
                futures.add(pool.submit(() -> {
                    start.await();
                    for (CloudEvent event : share) {
                        store.publish(event);
                    }
                    return null;
                }));
            }
            long began = System.nanoTime();
            start.countDown();
            RawSqlite.awaitAll(futures);
            return System.nanoTime() - began;
        }
    }

    /** What a latency run measured. */
    record Latency(int published, double achievedRate, long[] sortedNanos) {

        int received() {
            return sortedNanos.length;
        }

        /** Nearest-rank percentile in milliseconds, {@code p} in (0, 100]. */
        double percentileMillis(double p) {
            if (sortedNanos.length == 0) {
                return Double.NaN;
            }
            int rank = (int) Math.ceil(p / 100.0 * sortedNanos.length);
            return sortedNanos[Math.max(0, rank - 1)] / 1e6;
        }

        double maxMillis() {
            return sortedNanos.length == 0 ? Double.NaN : sortedNanos[sortedNanos.length - 1] / 1e6;
        }
    }

    /**
     * One subscription on {@code transport} whose handler reports each event to a {@link LatencyRun},
     * and {@code publishers} threads publishing through the store at {@code rate} events per second
     * in all.
     */
    static Latency publishToHandler(Transport transport, SchemaRegistry registry, List<CloudEvent> warmup,
                                    List<CloudEvent> measured, int rate, int publishers, Duration settle)
            throws Exception {
        LatencyRun run = new LatencyRun(warmup, measured);
        try (EventStore store = store(transport, registry)) {
            store.subscribe("bench-latency", run::handled,
                    SubscribeOptions.forTypes(FatEvents.TYPE).startAt(StartPosition.EARLIEST));
            return run.run(rate, publishers, () -> store::publish, settle);
        }
    }
}
