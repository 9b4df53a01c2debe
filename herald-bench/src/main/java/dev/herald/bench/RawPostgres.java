package dev.herald.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;

/**
 * The outbox baseline of {@code herald bench postgres}, in plain JDBC on the same database and
 * schema as Herald's run: what an application writes by hand for an outbox. It does what Herald does
 * minus Herald: no validation, no serialisation (the bytes are made beforehand), no ordering, leasing
 * or redelivery.
 */
final class RawPostgres {

    /** Rows a raw outbox poller deletes per statement. */
    static final int POLL_BATCH = 100;
    /** Threads polling the raw outbox. */
    static final int POLLERS = 2;

    private final DataSource pool;
    private final String schema;

    RawPostgres(DataSource pool, String schema) {
        this.pool = pool;
        this.schema = '"' + schema + '"';
    }

    /** The business table both outbox runs write to, and the raw outbox table. */
    void createTables() throws SQLException {
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE " + schema + ".orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                    + " customer text NOT NULL, amount numeric(12, 2) NOT NULL,"
                    + " created_at timestamptz NOT NULL DEFAULT now())");
            statement.execute("CREATE TABLE " + schema + ".raw_outbox (id bigint GENERATED ALWAYS AS IDENTITY"
                    + " PRIMARY KEY, topic text NOT NULL, data bytea NOT NULL,"
                    + " created_at timestamptz NOT NULL DEFAULT now())");
        }
    }

    /** Inserts the business row of transaction {@code n} on the caller's connection (both outbox runs use it). */
    void insertOrder(Connection connection, long n) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO " + schema + ".orders (customer, amount) VALUES (?, ?)")) {
            insert.setString(1, "customer-" + n);
            insert.setBigDecimal(2, java.math.BigDecimal.valueOf(n % 100_000, 2));
            insert.executeUpdate();
        }
    }

    /**
     * The hand-written outbox: {@code threads} threads, each transaction a business row and one
     * outbox row of the event's bytes, committed.
     *
     * @return the elapsed nanoseconds
     */
    long outbox(List<byte[]> rows, int threads) throws Exception {
        String insert = "INSERT INTO " + schema + ".raw_outbox (topic, data) VALUES ('bench', ?)";
        return Workers.timed(threads, "bench-raw-outbox", t -> {
            try (Connection connection = pool.getConnection();
                 PreparedStatement outbox = connection.prepareStatement(insert)) {
                connection.setAutoCommit(false);
                List<byte[]> share = RawSqlite.share(rows, t, threads);
                for (int i = 0; i < share.size(); i++) {
                    insertOrder(connection, i);
                    outbox.setBytes(1, share.get(i));
                    outbox.executeUpdate();
                    connection.commit();
                }
                connection.setAutoCommit(true);
            }
        });
    }

    /**
     * Starts {@link #POLLERS} pollers that take outbox rows with
     * {@code DELETE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING data} in auto-commit,
     * {@link #POLL_BATCH} at a time, sleeping 1 ms when the table is empty: the usual hand-written
     * relay. {@link Poller#await} waits until {@code expected} rows were taken.
     */
    Poller startPoller(int expected) {
        return new Poller(POLLERS, expected);
    }

    /** Running raw outbox pollers. */
    final class Poller implements AutoCloseable {

        private final CountDownLatch remaining;
        private final List<Thread> threads = new ArrayList<>();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile boolean stopped;

        private Poller(int count, int expected) {
            this.remaining = new CountDownLatch(expected);
            String take = "DELETE FROM " + schema + ".raw_outbox WHERE id IN (SELECT id FROM " + schema
                    + ".raw_outbox ORDER BY id LIMIT " + POLL_BATCH + " FOR UPDATE SKIP LOCKED) RETURNING data";
            for (int i = 0; i < count; i++) {
                threads.add(Thread.ofPlatform().name("bench-raw-poller-" + i).start(() -> poll(take)));
            }
        }

        private void poll(String take) {
            try (Connection connection = pool.getConnection(); PreparedStatement statement = connection.prepareStatement(take)) {
                while (!stopped) {
                    int taken = 0;
                    try (ResultSet rs = statement.executeQuery()) {
                        while (rs.next()) {
                            if (rs.getBytes(1).length > 0) {
                                remaining.countDown();
                            }
                            taken++;
                        }
                    }
                    if (taken == 0) {
                        Thread.sleep(1);
                    }
                }
            } catch (SQLException | InterruptedException | RuntimeException e) {
                if (!stopped) {
                    failure.compareAndSet(null, e);
                    while (remaining.getCount() > 0) {
                        remaining.countDown();
                    }
                }
            }
        }

        /** Waits until every expected row was taken; returns {@link System#nanoTime()} then. */
        long await() throws InterruptedException {
            if (!remaining.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException(remaining.getCount() + " outbox rows not taken in 10 minutes");
            }
            long now = System.nanoTime();
            if (failure.get() != null) {
                throw new IllegalStateException("the raw outbox poller failed: " + failure.get(), failure.get());
            }
            return now;
        }

        @Override
        public void close() throws InterruptedException {
            stopped = true;
            for (Thread thread : threads) {
                thread.join();
            }
        }
    }
}
