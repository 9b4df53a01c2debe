package dev.herald.transport.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.herald.event.JsonEvents;
import dev.herald.schema.SchemaRegistry;
import dev.herald.store.EventStore;
import dev.herald.store.SubscribeOptions;
import dev.herald.store.Subscription;
import dev.herald.store.Transactions;
import dev.herald.transport.StartPosition;
import io.cloudevents.CloudEvent;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Herald over PostgreSQL, measured against raw JDBC on the same database, in a fresh schema dropped
 * afterwards. Prints its figures; {@link #main} runs it at full size, {@code PostgresBenchmarkTest}
 * at a tiny size in the suite.
 * <ol>
 *   <li><b>Outbox publish</b>: {@code threads} threads each run {@code Transactions.inTransaction}
 *       with one {@code EventStore.publish(event, connection)} per transaction (validation,
 *       serialisation, insert, commit), 1.5 KB events.</li>
 *   <li><b>Raw JDBC, one row per transaction</b>: the same rows, same threads, a plain
 *       {@code INSERT} and commit each: what any outbox costs at least.</li>
 *   <li><b>Raw JDBC batches</b>: the same rows in batched multi-row inserts of 500 per transaction:
 *       the table's ceiling.</li>
 *   <li><b>Consume</b>: a new {@code EventStore} subscription from earliest handles all the events
 *       published above (8 handler calls at once, each event acknowledged on its own).</li>
 *   <li><b>End to end</b>: outbox publishes at a steady rate (200/s, or a quarter of the slower of
 *       the two throughputs above) while an {@code EventStore} subscription handles them; latency
 *       from the start of the publishing transaction to the handler call, p50/p99/max.</li>
 * </ol>
 */
public final class PostgresBenchmark {

    /**
     * What to run.
     *
     * @param latencyRate the publish rate of the end-to-end run, at most: it runs at a quarter of
     *                    the slower of the publish and consume throughputs measured if that is
     *                    lower, so that it measures latency rather than a queue
     */
    record Settings(String url, int events, int threads, int latencyEvents, int latencyRate) {

        /** Full size: {@code herald.bench.scale} multiplies the event counts (default 1). */
        static Settings full(String url) {
            int scale = Integer.getInteger("herald.bench.scale", 1);
            return new Settings(url, 20_000 * scale, 16, 3_000 * scale, 200);
        }

        static Settings tiny(String url) {
            return new Settings(url, Integer.getInteger("herald.bench.tinyEvents", 600), 8, 100, 100);
        }
    }

    /** The figures of one run. */
    record Figures(double outboxPerSecond, double rawPerTransactionPerSecond, double rawBatchPerSecond,
                   double consumedPerSecond, double p50Millis, double p99Millis, double maxMillis, int delivered) {
    }

    private PostgresBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String url = args.length > 0 ? args[0] : TestDatabase.url();
        run(Settings.full(url), System.out);
    }

    static Figures run(Settings settings, PrintStream out) throws Exception {
        try (TestDatabase database = TestDatabase.createUnchecked(settings.url())) {
            return new PostgresBenchmark().measure(database, settings, out);
        }
    }

    private Figures measure(TestDatabase database, Settings settings, PrintStream out) throws Exception {
        SchemaRegistry registry = SchemaRegistry.builtinCatalog();
        BenchEvents fat = new BenchEvents(registry);
        List<CloudEvent> events = new ArrayList<>(settings.events());
        for (int i = 0; i < settings.events(); i++) {
            events.add(fat.event(i));
        }
        int bytes = JsonEvents.write(events.getFirst()).length;
        out.printf(Locale.ROOT, "postgres bench: %d events of %d bytes, %d threads, schema %s%n", settings.events(),
                bytes, settings.threads(), database.schema());

        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(settings.url());
        config.setMaximumPoolSize(settings.threads() + 2);
        config.setPoolName("bench-callers");
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        try (HikariDataSource callers = new HikariDataSource(config);
             PostgresTransport transport = PostgresTransport.open(settings.url(), database.options()
                     .withPoolSize(Math.max(4, settings.threads() / 2))
                     .withCommitWatchInterval(Duration.ofMillis(Long.getLong("herald.bench.commitWatchMillis", 2))));
             EventStore store = EventStore.builder(transport, registry).build()) {
            // Warm-up: JIT, pools, prepared statements.
            outbox(store, callers, events.subList(0, Math.min(500, events.size())), settings.threads());
            database.execute("CREATE TABLE ${s}.raw_events (LIKE ${s}.events INCLUDING ALL)");
            List<byte[]> rows = events.stream().map(JsonEvents::write).toList();
            String insert = "INSERT INTO \"" + database.schema() + "\".raw_events (topic_id, ordering_key, data) VALUES (?, ?, ?)";

            // Raw runs before and after the outbox run: the machine's load drifts, and the two show how much.
            double rawBefore = rawPerTransaction(callers, insert, rows, settings.threads());
            double outbox = outbox(store, callers, events, settings.threads());
            double rawAfter = rawPerTransaction(callers, insert, rows, settings.threads());
            double rawSingle = (rawBefore + rawAfter) / 2;
            out.printf(Locale.ROOT, "  outbox publish (EventStore.publish(event, connection), a transaction per event):"
                    + " %,.0f events/s%n", outbox);
            out.printf(Locale.ROOT, "  raw JDBC, one INSERT + commit per row, same threads: %,.0f rows/s before, %,.0f after"
                    + " (outbox = %.2f of their mean)%n", rawBefore, rawAfter, outbox / rawSingle);
            double rawBatch = rawBatches(callers, insert, rows, settings.threads());
            out.printf(Locale.ROOT, "  raw JDBC batch inserts, 500 rows per transaction: %,.0f rows/s"
                    + " (outbox = %.3f of it)%n", rawBatch, outbox / rawBatch);

            double consumed = consume(store, settings.events());
            out.printf(Locale.ROOT, "  consume the outbox's %d events (EventStore subscription from earliest, 8 handler"
                    + " calls at once): %,.0f events/s%n", settings.events(), consumed);

            // Latency is measured below saturation: at most a quarter of the slower side just measured.
            int rate = (int) Math.max(10, Math.min(settings.latencyRate(), Math.min(outbox, consumed) / 4));
            Latency latency = endToEnd(store, callers, fat, settings.latencyEvents(), rate);
            out.printf(Locale.ROOT, "  end to end at %d events/s through the outbox: publish -> handler p50 %.1f ms,"
                    + " p99 %.1f ms, max %.1f ms (%d events)%n", rate, latency.p50, latency.p99,
                    latency.max, latency.count);
            return new Figures(outbox, rawSingle, rawBatch, consumed, latency.p50, latency.p99, latency.max,
                    latency.count);
        }
    }

    /** Publishes every event through the outbox, a transaction each, from {@code threads} threads; events/s. */
    private static double outbox(EventStore store, HikariDataSource callers, List<CloudEvent> events, int threads)
            throws Exception {
        AtomicInteger next = new AtomicInteger();
        return timed(events.size(), threads, () -> {
            for (int i = next.getAndIncrement(); i < events.size(); i = next.getAndIncrement()) {
                CloudEvent event = events.get(i);
                Transactions.inTransaction(callers, connection -> store.publish(event, connection));
            }
        });
    }

    private static double rawPerTransaction(HikariDataSource callers, String insert, List<byte[]> rows, int threads)
            throws Exception {
        AtomicInteger next = new AtomicInteger();
        return timed(rows.size(), threads, () -> {
            try (Connection connection = callers.getConnection();
                 PreparedStatement statement = connection.prepareStatement(insert)) {
                connection.setAutoCommit(false);
                for (int i = next.getAndIncrement(); i < rows.size(); i = next.getAndIncrement()) {
                    statement.setInt(1, 1);
                    statement.setString(2, "gid://gitlab/Project/392359");
                    statement.setBytes(3, rows.get(i));
                    statement.executeUpdate();
                    connection.commit();
                }
                connection.setAutoCommit(true);
            }
        });
    }

    private static double rawBatches(HikariDataSource callers, String insert, List<byte[]> rows, int threads)
            throws Exception {
        int batch = 500;
        AtomicInteger next = new AtomicInteger();
        return timed(rows.size(), threads, () -> {
            try (Connection connection = callers.getConnection();
                 PreparedStatement statement = connection.prepareStatement(insert)) {
                connection.setAutoCommit(false);
                for (int from = next.getAndAdd(batch); from < rows.size(); from = next.getAndAdd(batch)) {
                    for (int i = from; i < Math.min(from + batch, rows.size()); i++) {
                        statement.setInt(1, 1);
                        statement.setString(2, "gid://gitlab/Project/392359");
                        statement.setBytes(3, rows.get(i));
                        statement.addBatch();
                    }
                    statement.executeBatch();
                    connection.commit();
                }
                connection.setAutoCommit(true);
            }
        });
    }

    /** Handles the whole topic through a new subscription from earliest; events/s. */
    private static double consume(EventStore store, int count) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(count);
        long begin = System.nanoTime();
        Subscription subscription = store.subscribe("bench-consume", event -> done.countDown(),
                SubscribeOptions.forTypes("vulnerabilities.new_finding").startAt(StartPosition.EARLIEST).concurrency(8));
        try {
            if (!done.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException(done.getCount() + " events not consumed in 10 minutes");
            }
            return count / ((System.nanoTime() - begin) / 1e9);
        } finally {
            subscription.close();
        }
    }

    private record Latency(double p50, double p99, double max, int count) {
    }

    /** Outbox publishes paced at the rate from 4 threads, an EventStore subscription handling them. */
    private static Latency endToEnd(EventStore store, HikariDataSource callers, BenchEvents fat, int n, int rate)
            throws Exception {
        Map<String, Long> started = new ConcurrentHashMap<>();
        long[] latencies = new long[n];
        AtomicInteger handled = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(n);
        store.subscribe("bench-latency", event -> {
            Long start = started.get(event.getId());
            if (start != null && started.remove(event.getId()) != null) {
                int index = handled.getAndIncrement();
                if (index < n) {
                    latencies[index] = System.nanoTime() - start;
                }
                done.countDown();
            }
        }, SubscribeOptions.forTypes("vulnerabilities.new_finding").concurrency(8));
        List<CloudEvent> events = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            events.add(fat.event(1_000_000 + i));
        }
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long begin = System.nanoTime();
        AtomicInteger next = new AtomicInteger();
        timed(n, 4, () -> {
            for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                long due = begin + i * interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                CloudEvent event = events.get(i);
                started.put(event.getId(), System.nanoTime());
                Transactions.inTransaction(callers, connection -> store.publish(event, connection));
            }
        });
        if (!done.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("only " + handled.get() + " of " + n + " events reached the handler");
        }
        long[] sorted = Arrays.copyOf(latencies, Math.min(n, handled.get()));
        Arrays.sort(sorted);
        return new Latency(millis(sorted[(int) (sorted.length * 0.50)]), millis(sorted[(int) (sorted.length * 0.99)]),
                millis(sorted[sorted.length - 1]), sorted.length);
    }

    private static double millis(long nanos) {
        return nanos / 1_000_000.0;
    }

    /** Body of a measured thread. */
    @FunctionalInterface
    private interface Body {
        void run() throws Exception;
    }

    /** Runs the body on {@code threads} platform threads; returns {@code count} per second of wall time. */
    private static double timed(int count, int threads, Body body) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> started = new ArrayList<>();
        long begin = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            started.add(Thread.ofPlatform().name("bench-" + t).start(() -> {
                try {
                    body.run();
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        for (Thread thread : started) {
            thread.join();
        }
        long elapsed = System.nanoTime() - begin;
        if (failure.get() != null) {
            throw new IllegalStateException("a benchmark thread failed: " + failure.get(), failure.get());
        }
        return count / (elapsed / 1e9);
    }
}
