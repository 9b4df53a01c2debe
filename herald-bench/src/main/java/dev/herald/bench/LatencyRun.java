package dev.herald.bench;

import io.cloudevents.CloudEvent;
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
import java.util.function.Supplier;

/**
 * One publish-to-handler latency measurement, the same for every pipeline it compares: events are
 * published open-loop at a fixed rate (event i is due at {@code start + i / rate}), and each one's
 * latency runs from the instant it was due to the instant a handler saw it. Counting from the due
 * instant rather than from the publish call keeps a slow publish from hiding the events queued
 * behind it (coordinated omission). Warm-up events go first at the same rate, are waited for, and
 * are not recorded; duplicated deliveries are counted once.
 */
final class LatencyRun {

    /** Publishes one event; one per publishing thread, closed when its thread is done. */
    interface Publisher extends AutoCloseable {
        void publish(CloudEvent event) throws Exception;

        @Override
        default void close() {
        }
    }

    private final Map<String, Long> dueAt = new ConcurrentHashMap<>();
    private final Set<String> warming = ConcurrentHashMap.newKeySet();
    private final CountDownLatch warmed;
    private final CountDownLatch done;
    private final AtomicLongArray latencies;
    private final AtomicInteger received = new AtomicInteger();
    private final List<CloudEvent> warmup;
    private final List<CloudEvent> measured;

    LatencyRun(List<CloudEvent> warmup, List<CloudEvent> measured) {
        this.warmup = warmup;
        this.measured = measured;
        warmup.forEach(event -> warming.add(event.getId()));
        this.warmed = new CountDownLatch(warmup.size());
        this.done = new CountDownLatch(measured.size());
        this.latencies = new AtomicLongArray(measured.size());
    }

    /** Called by the handler under test for every event it sees. */
    void handled(CloudEvent event) {
        long now = System.nanoTime();
        Long due = dueAt.remove(event.getId());
        if (due != null) {
            latencies.set(received.getAndIncrement(), now - due);
            done.countDown();
        } else if (warming.remove(event.getId())) {
            warmed.countDown();
        }
    }

    /**
     * Publishes the warm-up, then the measured events, from {@code threads} threads (thread t takes
     * events t, t + threads, …), and waits up to {@code settle} for the handler to see them.
     */
    HeraldRuns.Latency run(int rate, int threads, Supplier<Publisher> publishers, Duration settle) throws Exception {
        publishAtRate(warmup, rate, threads, publishers, false);
        warmed.await(settle.toMillis(), TimeUnit.MILLISECONDS);
        long elapsed = publishAtRate(measured, rate, threads, publishers, true);
        done.await(settle.toMillis(), TimeUnit.MILLISECONDS);
        int count = received.get();
        long[] sorted = new long[count];
        for (int i = 0; i < count; i++) {
            sorted[i] = latencies.get(i);
        }
        Arrays.sort(sorted);
        double achieved = measured.size() <= 1 ? rate : (measured.size() - 1) / (elapsed / 1e9);
        return new HeraldRuns.Latency(measured.size(), achieved, sorted);
    }

    /** @return nanoseconds from the first due instant to the start of the last publish */
    private long publishAtRate(List<CloudEvent> events, int rate, int threads, Supplier<Publisher> publishers,
                               boolean record) throws Exception {
        long period = 1_000_000_000L / rate;
        int workers = Math.max(1, Math.min(threads, events.size()));
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        long[] lastStarted = new long[workers];
        try (ExecutorService pool = Executors.newFixedThreadPool(workers,
                Thread.ofPlatform().name("bench-paced-", 0).factory())) {
            List<Future<?>> futures = new ArrayList<>(workers);
            for (int t = 0; t < workers; t++) {
                int first = t;
                futures.add(pool.submit(() -> {
                    try (Publisher publisher = publishers.get()) {
                        for (int i = first; i < events.size(); i += workers) {
                            long due = start + i * period;
                            long wait;
                            while ((wait = due - System.nanoTime()) > 0) {
                                LockSupport.parkNanos(wait);
                            }
                            CloudEvent event = events.get(i);
                            if (record) {
                                dueAt.put(event.getId(), due);
                            }
                            lastStarted[first] = System.nanoTime();
                            publisher.publish(event);
                        }
                    }
                    return null;
                }));
            }
            RawSqlite.awaitAll(futures);
        }
        return Arrays.stream(lastStarted).max().orElse(start) - start;
    }
}
