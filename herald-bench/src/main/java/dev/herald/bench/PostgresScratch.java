package dev.herald.bench;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * PostgreSQL for the HTTP benchmarks: a scratch schema per run, so that runs never see each other's rows
 * (dropped afterwards with the server's {@code <schema>_state}), and the raw baseline on the same database.
 */
final class PostgresScratch implements AutoCloseable {

    private final String url;
    private final String schema;

    private PostgresScratch(String url, String schema) {
        this.url = url;
        this.schema = schema;
    }

    /** A fresh schema name {@code herald_bench_<8 hex>} on this database (created by whoever uses it first). */
    static PostgresScratch on(String url) {
        byte[] random = new byte[4];
        new SecureRandom().nextBytes(random);
        return new PostgresScratch(url, "herald_bench_" + HexFormat.of().formatHex(random));
    }

    String url() {
        return url;
    }

    /** The schema Herald gets ({@code postgres.schema}); the raw baseline uses {@code <schema>_raw}. */
    String schema() {
        return schema;
    }

    /** The server version, for the report. */
    String version() throws SQLException {
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement();
             var rs = statement.executeQuery("SHOW server_version")) {
            rs.next();
            return "PostgreSQL " + rs.getString(1);
        }
    }

    /**
     * The raw baseline: {@code clients} threads, each on its own connection in autocommit, inserting one
     * row per statement (so one commit, one WAL flush per row, as PostgreSQL groups concurrent flushes)
     * into a table shaped like Herald's event log (same columns and indexes), {@code count} rows of the
     * fat events' bytes in all.
     *
     * @return the elapsed nanoseconds
     */
    long singleRowInserts(FatEventBodies bodies, long first, int count, int clients) throws Exception {
        String raw = schema + "_raw";
        try (Connection connection = DriverManager.getConnection(url); Statement ddl = connection.createStatement()) {
            ddl.execute("CREATE SCHEMA IF NOT EXISTS " + raw);
            ddl.execute("CREATE TABLE IF NOT EXISTS " + raw + ".events (seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY"
                    + " KEY, topic_id integer NOT NULL, xid xid8 NOT NULL DEFAULT pg_current_xact_id(), published_at"
                    + " timestamptz NOT NULL DEFAULT clock_timestamp(), ordering_key text, data bytea NOT NULL)");
            ddl.execute("CREATE INDEX IF NOT EXISTS events_log ON " + raw + ".events (topic_id, xid, seq)");
            ddl.execute("CREATE INDEX IF NOT EXISTS events_by_time ON " + raw + ".events (topic_id, published_at)");
        }
        AtomicLong next = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        List<Connection> connections = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(clients,
                Thread.ofPlatform().name("bench-pg-", 0).factory())) {
            for (int i = 0; i < clients; i++) {
                connections.add(DriverManager.getConnection(url));
            }
            List<Future<?>> futures = new ArrayList<>();
            for (Connection connection : connections) {
                futures.add(pool.submit(() -> {
                    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + raw
                            + ".events (topic_id, ordering_key, data) VALUES (1, ?, ?)")) {
                        start.await();
                        for (long n = next.getAndIncrement(); n < count; n = next.getAndIncrement()) {
                            insert.setString(1, "gid://gitlab/Project/392359");
                            insert.setBytes(2, bodies.structured(first + n));
                            insert.executeUpdate();
                        }
                    }
                    return null;
                }));
            }
            long began = System.nanoTime();
            start.countDown();
            RawSqlite.awaitAll(futures);
            return System.nanoTime() - began;
        } finally {
            for (Connection connection : connections) {
                connection.close();
            }
        }
    }

    /** Drops the scratch schemas: Herald's, its state's and the baseline's. */
    @Override
    public void close() throws SQLException {
        try (Connection connection = DriverManager.getConnection(url); Statement drop = connection.createStatement()) {
            for (String name : List.of(schema, schema + "_state", schema + "_raw")) {
                drop.execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
            }
        }
    }
}
