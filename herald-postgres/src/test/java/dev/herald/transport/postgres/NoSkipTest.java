package dev.herald.transport.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.tck.TestEvents;
import dev.herald.transport.Consumer;
import dev.herald.transport.Delivery;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionSpec;
import io.cloudevents.CloudEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sequence numbers are taken at insert and become visible at commit, in another order. 16 writers
 * publish through the outbox with random delays before they commit (some roll back) while a Herald
 * consumer reads continuously; every committed event must arrive, no rolled-back one. Beside it, a
 * naive reader of {@code seq > cursor} on the same table shows that the scenario really happens:
 * it misses events, and the test records commits that landed below a sequence already visible.
 */
class NoSkipTest {

    private static final int WRITERS = 16;
    private static final int TRANSACTIONS_PER_WRITER = 25;

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
    void concurrentWritersCommittingOutOfOrderSkipNothing() throws Exception {
        String topic = "no-skip";
        try (PostgresTransport transport = PostgresTransport.open(database.jdbcUrl(), database.options())) {
            transport.createSubscription(SubscriptionSpec.of("reader", topic).withStart(StartPosition.EARLIEST));
            DataSource callers = database.callerPool();
            Set<String> committed = ConcurrentHashMap.newKeySet();
            Set<String> rolledBack = ConcurrentHashMap.newKeySet();
            Set<String> received = ConcurrentHashMap.newKeySet();
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicLong highestSeqSeen = new AtomicLong();
            AtomicLong committedBelowSeen = new AtomicLong();
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();

            Thread reader = Thread.ofVirtual().start(() -> {
                try (Consumer consumer = transport.openConsumer("reader")) {
                    while (writing.get() || !received.containsAll(committed)) {
                        for (Delivery delivery : consumer.poll(200, Duration.ofMillis(100))) {
                            received.add(delivery.event().getId());
                            delivery.ack();
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            NaiveReader naive = new NaiveReader(callers, database.schema());
            Thread naiveThread = Thread.ofVirtual().start(() -> naive.run(writing, highestSeqSeen, failures));

            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                String name = "w" + w;
                writers.add(Thread.ofVirtual().start(() -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    int seq = 0;
                    try {
                        for (int t = 0; t < TRANSACTIONS_PER_WRITER; t++) {
                            List<CloudEvent> events = TestEvents.probes(name, seq, 1 + random.nextInt(3));
                            seq += events.size();
                            try (Connection connection = callers.getConnection()) {
                                connection.setAutoCommit(false);
                                transport.publish(topic, EncodedEvent.all(events), connection);
                                long mySeq = lastSeq(connection, database.schema());
                                Thread.sleep(random.nextInt(0, 20));
                                if (random.nextInt(10) == 0) {
                                    connection.rollback();
                                    rolledBack.addAll(TestEvents.ids(events));
                                } else {
                                    connection.commit();
                                    committed.addAll(TestEvents.ids(events));
                                    if (mySeq < highestSeqSeen.get()) {
                                        committedBelowSeen.incrementAndGet();
                                    }
                                }
                                connection.setAutoCommit(true);
                            }
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            long started = System.nanoTime();
            for (Thread writer : writers) {
                writer.join();
            }
            long written = System.nanoTime();
            writing.set(false);
            reader.join(Duration.ofSeconds(60));
            System.out.printf("no-skip: writers took %d ms, the consumer finished %d ms after them%n",
                    (written - started) / 1_000_000, (System.nanoTime() - written) / 1_000_000);
            naiveThread.join(Duration.ofSeconds(10));

            assertThat(failures).isEmpty();
            Set<String> missedByNaive = ConcurrentHashMap.newKeySet();
            missedByNaive.addAll(committed);
            missedByNaive.removeAll(naive.seen);
            System.out.printf("no-skip: %d events committed, %d rolled back; %d commits landed below a sequence a reader"
                    + " had already seen; a naive seq > cursor reader missed %d; Herald delivered %d%n",
                    committed.size(), rolledBack.size(), committedBelowSeen.get(), missedByNaive.size(), received.size());
            assertThat(committedBelowSeen.get()).as("commits out of sequence order: the scenario happened").isPositive();
            assertThat(received).as("delivered by Herald").containsAll(committed)
                    .doesNotContainAnyElementsOf(rolledBack).hasSize(committed.size());
        }
    }

    /** The highest sequence this transaction wrote. */
    private static long lastSeq(Connection connection, String schema) throws Exception {
        try (PreparedStatement select = connection.prepareStatement("SELECT max(seq) FROM \"" + schema
                + "\".events WHERE xid = pg_current_xact_id()"); ResultSet rs = select.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** What the transport does not do: read {@code seq > cursor} and move the cursor to the highest seen. */
    private static final class NaiveReader {
        private final DataSource dataSource;
        private final String schema;
        final Set<String> seen = ConcurrentHashMap.newKeySet();

        NaiveReader(DataSource dataSource, String schema) {
            this.dataSource = dataSource;
            this.schema = schema;
        }

        void run(AtomicBoolean writing, AtomicLong highestSeqSeen, ConcurrentLinkedQueue<Throwable> failures) {
            long cursor = 0;
            try (Connection connection = dataSource.getConnection();
                 PreparedStatement select = connection.prepareStatement("SELECT seq, data FROM \"" + schema
                         + "\".events WHERE seq > ? ORDER BY seq")) {
                boolean last = false;
                while (!last) {
                    last = !writing.get();
                    select.setLong(1, cursor);
                    try (ResultSet rs = select.executeQuery()) {
                        while (rs.next()) {
                            cursor = rs.getLong(1);
                            seen.add(EventLog.read(rs.getBytes(2)).getId());
                        }
                    }
                    highestSeqSeen.accumulateAndGet(cursor, Math::max);
                    Thread.sleep(1);
                }
            } catch (Throwable e) {
                failures.add(e);
            }
        }
    }
}
