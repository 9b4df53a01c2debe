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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

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
     * One subscription whose handler records {@code System.nanoTime()} minus the time its event's
     * publish call started (kept in a map keyed by event id); one thread publishing {@code measured}
     * at a fixed rate. {@code warmup} events go first at the same rate and are waited for, but not
     * recorded. Duplicated deliveries are counted once.
     */
    static Latency publishToHandler(Transport transport, SchemaRegistry registry, List<CloudEvent> warmup,
                                    List<CloudEvent> measured, int rate, Duration settle) throws InterruptedException {
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        Set<String> warming = ConcurrentHashMap.newKeySet();
        warmup.forEach(event -> warming.add(event.getId()));
        CountDownLatch warmed = new CountDownLatch(warmup.size());
        CountDownLatch done = new CountDownLatch(measured.size());
        AtomicLongArray latencies = new AtomicLongArray(measured.size());
        AtomicInteger received = new AtomicInteger();
        try (EventStore store = store(transport, registry)) {
            store.subscribe("bench-latency", event -> {
                long now = System.nanoTime();
                Long sent = sentAt.remove(event.getId());
                if (sent != null) {
                    latencies.set(received.getAndIncrement(), now - sent);
                    done.countDown();
                } else if (warming.remove(event.getId())) {
                    warmed.countDown();
                }
            }, SubscribeOptions.forTypes(FatEvents.TYPE).startAt(StartPosition.EARLIEST));

            publishAtRate(store, warmup, rate, null);
            warmed.await(settle.toMillis(), TimeUnit.MILLISECONDS);
            long elapsed = publishAtRate(store, measured, rate, sentAt);
            done.await(settle.toMillis(), TimeUnit.MILLISECONDS);

            int count = received.get();
            long[] sorted = new long[count];
            for (int i = 0; i < count; i++) {
                sorted[i] = latencies.get(i);
            }
            Arrays.sort(sorted);
            double achieved = measured.size() <= 1 ? rate : (measured.size() - 1) / (elapsed / 1e9);
            return new Latency(measured.size(), achieved, sorted);
        }
    }

    /**
     * Publishes event i at {@code start + i / rate}, from the calling thread; an event whose slot has
     * passed (the previous publish took longer than the period) goes at once.
     *
     * @return nanoseconds from the first publish call to the start of the last
     */
    private static long publishAtRate(EventStore store, List<CloudEvent> events, int rate, Map<String, Long> sentAt) {
        long period = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long last = start;
        for (int i = 0; i < events.size(); i++) {
            long slot = start + i * period;
            long wait;
            while ((wait = slot - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            CloudEvent event = events.get(i);
            last = System.nanoTime();
            if (sentAt != null) {
                sentAt.put(event.getId(), last);
            }
            store.publish(event);
        }
        return last - start;
    }
}
