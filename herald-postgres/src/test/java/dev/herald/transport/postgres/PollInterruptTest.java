package dev.herald.transport.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.IMetricsTracker;
import dev.herald.tck.TestEvents;
import dev.herald.transport.Consumer;
import dev.herald.transport.Delivery;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionSpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A dispatcher stops its poller by interrupting it, and an interrupted virtual thread closes the socket
 * it reads. A poll interrupted inside its query must still break no pooled connection (the pool would
 * throw it away, warn, and open another), return at once, and lose nothing it leased.
 */
class PollInterruptTest {

    private static final int POOL = 6;

    private TestDatabase database;

    @BeforeEach
    void createSchema() {
        database = TestDatabase.create();
    }

    @AfterEach
    void dropSchema() throws Exception {
        database.close();
    }

    @Test
    void aPollInterruptedInItsQueryBreaksNoConnectionAndKeepsWhatItLeased() throws Exception {
        AtomicInteger connectionsOpened = new AtomicInteger();
        try (HikariDataSource pool = fixedPool(connectionsOpened);
             PostgresTransport transport = PostgresTransport.open(pool, database.options())) {
            transport.createSubscription(SubscriptionSpec.of("interrupted", "interrupted")
                    .withStart(StartPosition.EARLIEST));
            Consumer consumer = transport.openConsumer("interrupted");
            awaitFull(pool);
            int opened = connectionsOpened.get();

            try (Connection blocker = DriverManager.getConnection(database.jdbcUrl())) {
                // Polls lock the subscription's row: holding it keeps the next poll inside its query.
                blocker.setAutoCommit(false);
                try (Statement statement = blocker.createStatement()) {
                    statement.execute(sql("SELECT 1 FROM ${s}.subscriptions FOR UPDATE"));
                }
                transport.publish("interrupted", EncodedEvent.all(TestEvents.probes("interrupted", 1)));
                AtomicReference<Throwable> outcome = new AtomicReference<>();
                Thread poller = Thread.ofVirtual().start(() -> {
                    try {
                        outcome.set(new AssertionError("the poll returned " + consumer.poll(10, Duration.ofMinutes(1))));
                    } catch (Throwable e) {
                        outcome.set(e);
                    }
                });
                awaitLockWait();

                poller.interrupt();

                assertThat(poller.join(Duration.ofSeconds(5))).as("the interrupted poll returned").isTrue();
                assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
                blocker.rollback();
            }
            // The interrupted poll's query ended normally; the next poll hands out what it leased.
            List<Delivery> delivered = consumer.poll(10, Duration.ofSeconds(30));
            assertThat(delivered).hasSize(1);
            delivered.getFirst().ack();
            consumer.close();

            assertThat(connectionsOpened.get()).as("connections opened after the pool filled (a broken one is replaced)")
                    .isEqualTo(opened);
            assertThat(pool.getHikariPoolMXBean().getTotalConnections()).isEqualTo(POOL);
            assertThat(transport.stats("interrupted").backlog()).isZero();
        }
    }

    @Test
    void closingAConsumerWhilePollingEndsThePollAndReleasesItsLeases() throws Exception {
        AtomicInteger connectionsOpened = new AtomicInteger();
        try (HikariDataSource pool = fixedPool(connectionsOpened);
             PostgresTransport transport = PostgresTransport.open(pool, database.options())) {
            transport.createSubscription(SubscriptionSpec.of("closed", "closed").withStart(StartPosition.EARLIEST));
            Consumer consumer = transport.openConsumer("closed");
            awaitFull(pool);
            int opened = connectionsOpened.get();
            // The transport's own: its listener's and its notifier's.
            int held = pool.getHikariPoolMXBean().getActiveConnections();
            AtomicReference<Object> outcome = new AtomicReference<>();
            Thread poller = Thread.ofVirtual().start(() -> {
                try {
                    outcome.set(consumer.poll(10, Duration.ofMinutes(1)));
                } catch (Throwable e) {
                    outcome.set(e);
                }
            });
            while (poller.getState() != Thread.State.WAITING && poller.getState() != Thread.State.TIMED_WAITING) {
                Thread.sleep(10);
            }

            consumer.close();

            assertThat(poller.join(Duration.ofSeconds(5))).as("the poll returned on close").isTrue();
            assertThat(outcome.get()).isEqualTo(List.of());
            assertThat(connectionsOpened.get()).isEqualTo(opened);
            assertThat(pool.getHikariPoolMXBean().getActiveConnections()).as("connections in use").isEqualTo(held);
        }
    }

    /** A pool of {@link #POOL} connections, kept open, counting the connections it opens. */
    private HikariDataSource fixedPool(AtomicInteger opened) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(database.jdbcUrl());
        config.setMaximumPoolSize(POOL);
        config.setMinimumIdle(POOL);
        config.setPoolName("poll-interrupt-" + database.schema());
        config.setMetricsTrackerFactory((name, stats) -> new IMetricsTracker() {
            @Override
            public void recordConnectionCreatedMillis(long millis) {
                opened.incrementAndGet();
            }
        });
        return new HikariDataSource(config);
    }

    private static void awaitFull(HikariDataSource pool) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (pool.getHikariPoolMXBean().getTotalConnections() < POOL && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(pool.getHikariPoolMXBean().getTotalConnections()).isEqualTo(POOL);
    }

    /** Waits until a session of this schema waits for a lock (the poll, behind the blocker). */
    private void awaitLockWait() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl());
             Statement statement = connection.createStatement()) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = statement.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE "
                        + "wait_event_type = 'Lock' AND query LIKE '%" + database.schema() + "%'")) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        return;
                    }
                }
                Thread.sleep(10);
            }
        }
        throw new AssertionError("no poll waited for the subscription's lock");
    }

    private String sql(String sql) {
        return sql.replace("${s}", '"' + database.schema() + '"');
    }
}
