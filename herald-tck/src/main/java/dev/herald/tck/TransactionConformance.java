package dev.herald.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.store.Transactions;
import dev.herald.transport.Capability;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.SubscriptionSpec;
import dev.herald.transport.TransactionalTransport;
import io.cloudevents.CloudEvent;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Capability {@link Capability#TRANSACTIONS}: publish inside the caller's transaction (the
 * transactional outbox). Rollback ⇒ never delivered; commit ⇒ always delivered; writers committing
 * out of order ⇒ nothing skipped. Needs {@link #transactionalDataSource()} to open the caller's
 * transactions on the transport's database.
 */
public interface TransactionConformance extends ConformanceContext {

    @Test
    @DisplayName("Transactions: rolled-back events are never delivered, committed ones always, and not before the commit")
    default void rollbackIsNeverDeliveredCommitAlwaysIs() throws Exception {
        TransactionalTransport transport = transactional();
        DataSource database = requireDataSource();
        String topic = fresh("topic");
        SubscriptionSpec spec = subscribe(topic);
        DeliveryLog log = collect(spec.name()).log();
        String run = fresh("run");
        List<CloudEvent> rolledBack = TestEvents.probes(run, 0, 10);
        List<CloudEvent> failedWork = TestEvents.probes(run, 10, 10);
        List<CloudEvent> committed = TestEvents.probes(run, 20, 10);
        List<CloudEvent> heldOpen = TestEvents.probes(run, 30, 10);

        try (Connection connection = database.getConnection()) {
            connection.setAutoCommit(false);
            transport.publish(topic, EncodedEvent.all(rolledBack), connection);
            connection.rollback();
            connection.setAutoCommit(true);
        }
        // Work that throws after publishing: Transactions rolls the whole transaction back.
        assertThatThrownBy(() -> Transactions.inTransaction(database, connection -> {
            transport.publish(topic, EncodedEvent.all(failedWork), connection);
            throw new IllegalStateException("the caller's own work failed");
        })).isInstanceOf(IllegalStateException.class);
        Transactions.inTransaction(database, connection -> {
            transport.publish(topic, EncodedEvent.all(committed.subList(0, 4)), connection);
            transport.publish(topic, EncodedEvent.all(committed.subList(4, committed.size())), connection);
            return null;
        });

        try (Connection open = database.getConnection()) {
            open.setAutoCommit(false);
            transport.publish(topic, EncodedEvent.all(heldOpen), open);
            awaitAcked(log, ids(committed));
            quietPeriod();
            assertThat(log.deliveredIds()).as("events of a transaction not committed yet")
                    .doesNotContainAnyElementsOf(ids(heldOpen));
            open.commit();
            open.setAutoCommit(true);
        }
        List<String> expected = new ArrayList<>(ids(committed));
        expected.addAll(ids(heldOpen));
        awaitAcked(log, expected);
        quietPeriod();
        assertThat(log.deliveredIds()).as("events of rolled-back transactions")
                .doesNotContainAnyElementsOf(ids(rolledBack)).doesNotContainAnyElementsOf(ids(failedWork));
        assertReceivedExactly(log, expected, true);
    }

    @Test
    @DisplayName("Transactions: a transaction that wrote first but commits last is not skipped")
    default void earlierWriterCommittingLaterIsNotSkipped() throws Exception {
        TransactionalTransport transport = transactional();
        DataSource database = requireDataSource();
        String topic = fresh("topic");
        SubscriptionSpec spec = subscribe(topic);
        DeliveryLog log = collect(spec.name()).log();
        String run = fresh("run");
        CloudEvent slow = TestEvents.probe(run, 0);
        CloudEvent fast = TestEvents.probe(run, 1);
        try (Connection first = database.getConnection()) {
            first.setAutoCommit(false);
            // Written first: whatever order the transport keeps, this write comes before the next one.
            transport.publish(topic, EncodedEvent.all(List.of(slow)), first);
            Transactions.inTransaction(database, second -> {
                transport.publish(topic, EncodedEvent.all(List.of(fast)), second);
                return null;
            });
            // The consumer keeps polling while the first writer is still open; a transport that
            // moves a position past the first write now would never deliver it.
            quietPeriod();
            quietPeriod();
            first.commit();
            first.setAutoCommit(true);
        }
        awaitAcked(log, ids(List.of(slow, fast)));
        quietPeriod();
        assertReceivedExactly(log, ids(List.of(slow, fast)), true);
    }

    @Test
    @DisplayName("Transactions: 16 concurrent writers commit and roll back in random order while a consumer reads; every committed event arrives")
    default void concurrentWritersCommittingOutOfOrderSkipNothing() throws Exception {
        TransactionalTransport transport = transactional();
        DataSource database = requireDataSource();
        String topic = fresh("topic");
        SubscriptionSpec spec = subscribe(topic);
        DeliveryLog log = collect(spec.name(), Collector.Handler.ACK, new DeliveryLog(), 50).log();
        String run = fresh("run");
        int writers = 16;
        int transactionsPerWriter = scaled(15);
        Set<String> committed = ConcurrentHashMap.newKeySet();
        Set<String> rolledBack = ConcurrentHashMap.newKeySet();
        AtomicInteger transactions = new AtomicInteger();
        // Writers start their transactions together, so that their writes interleave and their
        // commits land in a different order than their writes.
        CountDownLatch lockstep = new CountDownLatch(writers);
        concurrently(writers, writer -> {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            int seq = 0;
            for (int t = 0; t < transactionsPerWriter; t++) {
                List<CloudEvent> events = TestEvents.probes(run + "-w" + writer, seq, 1 + random.nextInt(3));
                seq += events.size();
                boolean rollback = random.nextInt(8) == 0;
                try (Connection connection = database.getConnection()) {
                    connection.setAutoCommit(false);
                    transport.publish(topic, EncodedEvent.all(events), connection);
                    if (t == 0) {
                        lockstep.countDown();
                        lockstep.await(10, TimeUnit.SECONDS);
                    }
                    Thread.sleep(random.nextInt(0, 15));
                    if (rollback) {
                        connection.rollback();
                        rolledBack.addAll(ids(events));
                    } else {
                        connection.commit();
                        committed.addAll(ids(events));
                    }
                    connection.setAutoCommit(true);
                }
                transactions.incrementAndGet();
            }
        });
        report("transactions", transactions.get() + " transactions, " + committed.size() + " events committed, "
                + rolledBack.size() + " rolled back");
        awaitAcked(log, committed);
        quietPeriod();
        assertThat(log.deliveredIds()).as("rolled-back events delivered").doesNotContainAnyElementsOf(rolledBack);
        assertReceivedExactly(log, committed, true);
    }

    /** The transport under test as a {@link TransactionalTransport}; skips unless it declares the capability. */
    private TransactionalTransport transactional() {
        assumeCapability(Capability.TRANSACTIONS);
        assertThat(transport()).as("a transport declaring TRANSACTIONS").isInstanceOf(TransactionalTransport.class);
        return (TransactionalTransport) transport();
    }

    private DataSource requireDataSource() {
        return transactionalDataSource().orElseThrow(() -> new AssertionError(transport().name()
                + " declares TRANSACTIONS, so its conformance test must override transactionalDataSource()"));
    }
}
