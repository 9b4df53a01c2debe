package dev.herald.bench;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.jackson.JsonFormat;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.sqlite.SQLiteConfig;

/**
 * The peer baselines: plain JDBC on a SQLite file with the embedded transport's file settings (WAL,
 * {@code synchronous=FULL}, the same journal size limit and busy timeout) and the same table shape
 * as its event log, inserting the same structured-JSON bytes Herald stores.
 */
final class RawSqlite {

    /** As {@code dev.herald.transport.embedded.Sqlite}: the WAL is truncated back to 64 MiB after checkpoints. */
    private static final int JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024;
    /** As {@code EmbeddedOptions.defaults().busyTimeout()}. */
    private static final int BUSY_TIMEOUT_MS = 5_000;
    private static final String INSERT =
            "INSERT INTO events (topic_id, published_at, ordering_key, data) VALUES (1, ?, ?, ?)";

    private RawSqlite() {
    }

    /**
     * Baseline A, what a naive durable per-event insert gives: {@code threads} threads sharing one
     * connection (SQLite has a single writer anyway), each inserting its share of {@code rows} one
     * row per transaction (autocommit), so every row waits for its own commit and fsync.
     *
     * <p>Not one connection per thread: with 16 connections contending for the write lock, SQLite's
     * busy handler (sleep and retry, unfair) let a writer starve past the 5 s busy timeout and fail
     * with {@code SQLITE_BUSY} on this machine, and before that it measures sleeps, not fsyncs.
     *
     * @return the elapsed nanoseconds for all rows
     */
    static long perRowTransactions(Path file, List<byte[]> rows, int threads) throws Exception {
        createTable(file);
        int workers = Math.min(threads, rows.size());
        ReentrantLock writer = new ReentrantLock(true);
        try (Connection connection = open(file);
             PreparedStatement insert = connection.prepareStatement(INSERT)) {
            CountDownLatch start = new CountDownLatch(1);
            try (ExecutorService pool = Executors.newFixedThreadPool(workers, Thread.ofPlatform().name("bench-raw-", 0)
                    .factory())) {
                List<Future<?>> futures = new ArrayList<>(workers);
                for (int t = 0; t < workers; t++) {
                    List<byte[]> share = share(rows, t, workers);
                    futures.add(pool.submit(() -> {
                        start.await();
                        for (byte[] row : share) {
                            writer.lock();
                            try {
                                bind(insert, row);
                                insert.executeUpdate();
                            } finally {
                                writer.unlock();
                            }
                        }
                        return null;
                    }));
                }
                long began = System.nanoTime();
                start.countDown();
                awaitAll(futures);
                return System.nanoTime() - began;
            }
        }
    }

    /**
     * Baseline B, the ceiling group commit aims at: one thread, one connection, {@code batch} rows per
     * transaction (a JDBC batch inside {@code BEGIN IMMEDIATE … COMMIT}).
     *
     * @return the elapsed nanoseconds for all rows
     */
    static long batchedTransactions(Path file, List<byte[]> rows, int batch) throws SQLException {
        createTable(file);
        try (Connection connection = open(file);
             Statement control = connection.createStatement();
             PreparedStatement insert = connection.prepareStatement(INSERT)) {
            long began = System.nanoTime();
            for (int from = 0; from < rows.size(); from += batch) {
                control.execute("BEGIN IMMEDIATE");
                for (byte[] row : rows.subList(from, Math.min(rows.size(), from + batch))) {
                    bind(insert, row);
                    insert.addBatch();
                }
                insert.executeBatch();
                control.execute("COMMIT");
            }
            return System.nanoTime() - began;
        }
    }

    /**
     * The read ceiling of dispatch: one thread reading every row of a store's {@code events} table in
     * sequence order and decoding each into a {@link CloudEvent}, which is the least a consumer must
     * do per event; no leases, no acknowledgements.
     *
     * @return the elapsed nanoseconds; {@code decoded} sees every event
     */
    static long readAndDecode(Path file, Consumer<CloudEvent> decoded) throws SQLException {
        EventFormat format = new JsonFormat();
        try (Connection connection = open(file);
             Statement statement = connection.createStatement()) {
            long began = System.nanoTime();
            try (var rs = statement.executeQuery("SELECT seq, data FROM events ORDER BY seq")) {
                while (rs.next()) {
                    decoded.accept(format.deserialize(rs.getBytes(2)));
                }
            }
            return System.nanoTime() - began;
        }
    }

    /**
     * The floor of durable publish latency: one thread inserting {@code rows} one per transaction
     * (autocommit, so each commit fsyncs the WAL), one every {@code 1 / rate} seconds; the time each
     * commit took, sorted. Nothing can be delivered durably sooner than its commit.
     */
    static long[] commitLatencies(Path file, List<byte[]> rows, int rate) throws SQLException {
        createTable(file);
        long period = 1_000_000_000L / rate;
        long[] nanos = new long[rows.size()];
        try (Connection connection = open(file);
             PreparedStatement insert = connection.prepareStatement(INSERT)) {
            long start = System.nanoTime();
            for (int i = 0; i < nanos.length; i++) {
                long wait;
                while ((wait = start + i * period - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                long began = System.nanoTime();
                bind(insert, rows.get(i));
                insert.executeUpdate();
                nanos[i] = System.nanoTime() - began;
            }
        }
        Arrays.sort(nanos);
        return nanos;
    }

    /** Rows in the table, to check that a baseline wrote what it claims. */
    static long count(Path file) throws SQLException {
        try (Connection connection = open(file);
             Statement statement = connection.createStatement();
             var rs = statement.executeQuery("SELECT COUNT(*) FROM events")) {
            return rs.getLong(1);
        }
    }

    /** The SQLite library's version, opening (and leaving) a scratch file. */
    static String version(Path file) throws SQLException {
        try (Connection connection = open(file);
             Statement statement = connection.createStatement();
             var rs = statement.executeQuery("SELECT sqlite_version()")) {
            return rs.getString(1);
        }
    }

    private static void bind(PreparedStatement insert, byte[] row) throws SQLException {
        insert.setLong(1, System.currentTimeMillis() * 1_000_000L);
        insert.setString(2, "gid://gitlab/Project/392359");
        insert.setBytes(3, row);
    }

    /** The embedded transport's {@code events} table and index (schema version 1). */
    private static void createTable(Path file) throws SQLException {
        try (Connection connection = open(file); Statement statement = connection.createStatement()) {
            statement.execute("""
                    CREATE TABLE IF NOT EXISTS events (
                        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
                        topic_id     INTEGER NOT NULL,
                        published_at INTEGER NOT NULL,
                        ordering_key TEXT,
                        data         BLOB NOT NULL
                    )""");
            statement.execute("CREATE INDEX IF NOT EXISTS events_by_topic ON events (topic_id, seq)");
        }
    }

    private static Connection open(Path file) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setJournalSizeLimit(JOURNAL_SIZE_LIMIT);
        return config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
    }

    static <T> List<T> share(List<T> all, int worker, int workers) {
        int from = (int) ((long) all.size() * worker / workers);
        int to = (int) ((long) all.size() * (worker + 1) / workers);
        return all.subList(from, to);
    }

    static void awaitAll(List<Future<?>> futures) throws Exception {
        for (Future<?> future : futures) {
            try {
                future.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Exception cause) {
                    throw cause;
                }
                throw e;
            }
        }
    }
}
