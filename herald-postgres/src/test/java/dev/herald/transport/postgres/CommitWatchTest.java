package dev.herald.transport.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.tck.TestEvents;
import dev.herald.transport.Consumer;
import dev.herald.transport.Delivery;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionSpec;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An outbox commit wakes a waiting consumer through the transaction's advisory lock, with every poll
 * that could otherwise have found the event set to an hour: a consumer that sleeps through the
 * commit would fail the test by timing out. A rollback wakes nobody, and a transaction that stays open
 * past the lock wait is still noticed when it commits (by the watch's backing-off poll).
 */
class CommitWatchTest {

    private static final Duration HOUR = Duration.ofHours(1);

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
    void anOutboxCommitWakesAWaitingConsumerWithoutAnyPoll() throws Exception {
        PostgresOptions options = database.options().withFallbackPollInterval(HOUR).withCommitWatchInterval(HOUR);
        try (PostgresTransport transport = PostgresTransport.open(database.jdbcUrl(), options)) {
            transport.createSubscription(SubscriptionSpec.of("watched", "watched").withStart(StartPosition.EARLIEST));
            try (Consumer consumer = transport.openConsumer("watched")) {
                for (int round = 0; round < 3; round++) {
                    CompletableFuture<List<Delivery>> waiting = pollInBackground(consumer);
                    awaitWaiting(consumer, waiting);
                    try (Connection connection = database.callerPool().getConnection()) {
                        connection.setAutoCommit(false);
                        transport.publish("watched", EncodedEvent.all(TestEvents.probes("watched-" + round, 1)),
                                connection);
                        connection.commit();
                    }
                    List<Delivery> delivered = waiting.get(30, TimeUnit.SECONDS);
                    assertThat(delivered).hasSize(1);
                    delivered.getFirst().ack();
                }
            }
        }
    }

    @Test
    void aRollbackDeliversNothingAndATransactionHeldOpenIsNoticedWhenItCommits() throws Exception {
        PostgresOptions options = database.options().withFallbackPollInterval(HOUR);
        try (PostgresTransport transport = PostgresTransport.open(database.jdbcUrl(), options)) {
            transport.createSubscription(SubscriptionSpec.of("held", "held").withStart(StartPosition.EARLIEST));
            try (Consumer consumer = transport.openConsumer("held")) {
                try (Connection connection = database.callerPool().getConnection()) {
                    connection.setAutoCommit(false);
                    transport.publish("held", EncodedEvent.all(TestEvents.probes("rolled-back", 1)), connection);
                    connection.rollback();
                }
                CompletableFuture<List<Delivery>> waiting = pollInBackground(consumer);
                awaitWaiting(consumer, waiting);
                try (Connection connection = database.callerPool().getConnection()) {
                    connection.setAutoCommit(false);
                    transport.publish("held", EncodedEvent.all(TestEvents.probes("held-open", 1)), connection);
                    // Longer than the watch waits for one transaction's lock: from then on it is polled.
                    Thread.sleep(CommitWatch.LOCK_WAIT.multipliedBy(4).toMillis());
                    connection.commit();
                }
                List<Delivery> delivered = waiting.get(30, TimeUnit.SECONDS);
                assertThat(delivered).hasSize(1);
                assertThat(delivered.getFirst().event().getSubject()).startsWith("held-open/");
                delivered.getFirst().ack();
                assertThat(transport.stats("held").backlog()).isZero();
            }
        }
    }

    private static CompletableFuture<List<Delivery>> pollInBackground(Consumer consumer) {
        CompletableFuture<List<Delivery>> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                result.complete(consumer.poll(10, Duration.ofSeconds(60)));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** Waits until the poll found nothing and sleeps on its topic's signal. */
    private static void awaitWaiting(Consumer consumer, CompletableFuture<List<Delivery>> waiting) throws Exception {
        // The poll leases nothing (the topic is empty) within moments; then only a wake-up ends it early.
        Thread.sleep(300);
        assertThat(waiting).as("the poll of %s is still waiting", consumer).isNotDone();
    }
}
