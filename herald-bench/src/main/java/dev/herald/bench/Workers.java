package dev.herald.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Runs the same body on a number of platform threads, all released together, and times them. */
final class Workers {

    /** The body of worker {@code index} (0 .. workers - 1). */
    @FunctionalInterface
    interface Body {
        void run(int index) throws Exception;
    }

    private Workers() {
    }

    /**
     * Runs {@code body} on {@code workers} threads named {@code name-N}; rethrows the first failure.
     *
     * @return the nanoseconds from releasing the threads until the last one finished
     */
    static long timed(int workers, String name, Body body) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(workers,
                Thread.ofPlatform().name(name + "-", 0).factory())) {
            List<Future<?>> futures = new ArrayList<>(workers);
            for (int t = 0; t < workers; t++) {
                int index = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    body.run(index);
                    return null;
                }));
            }
            long began = System.nanoTime();
            start.countDown();
            RawSqlite.awaitAll(futures);
            return System.nanoTime() - began;
        }
    }
}
