package dev.herald.transport.embedded;

import static dev.herald.transport.embedded.Fixtures.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.transport.EncodedEvent;
import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionSpec;
import dev.herald.transport.TopicSignals;
import dev.herald.transport.TransportException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupCommitTest {

    @TempDir
    Path dir;

    @Test
    void concurrentPublishersShareCommits() throws Exception {
        int threads = 16;
        int perThread = 200;
        try (EmbeddedTransport transport = EmbeddedTransport.open(dir.resolve("herald.db"))) {
            transport.createSubscription(SubscriptionSpec.of("all", "orders").withStart(StartPosition.EARLIEST));
            long commitsBefore = transport.commits();
            CountDownLatch start = new CountDownLatch(1);
            long began;
            try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
                List<Future<?>> publishers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    publishers.add(pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < perThread; i++) {
                            transport.publish("orders", EncodedEvent.all(List.of(event("t" + thread + "-" + i))));
                        }
                        return null;
                    }));
                }
                began = System.nanoTime();
                start.countDown();
                for (Future<?> publisher : publishers) {
                    publisher.get();
                }
            }
            double seconds = (System.nanoTime() - began) / 1e9;
            long publishes = (long) threads * perThread;
            long commits = transport.commits() - commitsBefore;
            System.out.printf("group commit: %d publishes from %d threads in %d commits (%.1f per commit),"
                    + " %.0f publishes/s%n", publishes, threads, commits, (double) publishes / commits,
                    publishes / seconds);
            assertThat(commits).isLessThan(publishes);
            assertThat(transport.stats("all").backlog()).isEqualTo(publishes);
        }
    }

    @Test
    void aFailingTaskFailsOnlyItsOwnCaller() throws Exception {
        SqliteWriter writer = lingeringWriter("writer.db");
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            long commitsBefore = writer.commits();
            Future<Object> failing = pool.submit(() -> writer.call(SqliteWriter.Sync.FULL, tx -> {
                tx.prepare("INSERT INTO t VALUES (1)").executeUpdate();
                throw new IllegalStateException("task 1 fails after its insert");
            }));
            Future<Object> succeeding = pool.submit(() -> writer.call(SqliteWriter.Sync.FULL, tx -> {
                tx.prepare("INSERT INTO t VALUES (2)").executeUpdate();
                return "done";
            }));

            assertThat(succeeding.get()).isEqualTo("done");
            assertThatThrownBy(failing::get).hasCauseInstanceOf(IllegalStateException.class);
            assertThat(writer.commits() - commitsBefore).as("both tasks lingered into one transaction").isEqualTo(1);
            List<Integer> values = writer.call(SqliteWriter.Sync.NORMAL, GroupCommitTest::values);
            assertThat(values).containsExactly(2);
        } finally {
            writer.close();
        }
    }

    @Test
    void aFailingTaskWithoutSavepointFailsItsWholeTransactionAndNothingCommits() throws Exception {
        SqliteWriter writer = lingeringWriter("unisolated.db");
        AtomicBoolean afterCommitRan = new AtomicBoolean();
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            long commitsBefore = writer.commits();
            Future<Object> failing = pool.submit(() -> writer.callWithoutSavepoint(SqliteWriter.Sync.FULL, tx -> {
                tx.prepare("INSERT INTO t VALUES (1)").executeUpdate();
                throw new IllegalStateException("task 1 fails after its insert, without a savepoint");
            }));
            Future<Object> peer = pool.submit(() -> writer.call(SqliteWriter.Sync.FULL, tx -> {
                tx.prepare("INSERT INTO t VALUES (2)").executeUpdate();
                tx.afterCommit(() -> afterCommitRan.set(true));
                return "done";
            }));

            assertThatThrownBy(failing::get).hasCauseInstanceOf(IllegalStateException.class);
            assertThatThrownBy(peer::get).hasCauseInstanceOf(TransportException.class);
            assertThat(writer.commits()).as("nothing committed").isEqualTo(commitsBefore);
            assertThat(afterCommitRan).as("after-commit actions run only after a commit").isFalse();
            assertThat(writer.call(SqliteWriter.Sync.NORMAL, GroupCommitTest::values)).isEmpty();

            writer.callWithoutSavepoint(SqliteWriter.Sync.FULL, tx -> {
                tx.prepare("INSERT INTO t VALUES (3)").executeUpdate();
                tx.afterCommit(() -> afterCommitRan.set(true));
                return null;
            });
            assertThat(afterCommitRan).isTrue();
            assertThat(writer.call(SqliteWriter.Sync.NORMAL, GroupCommitTest::values)).containsExactly(3);
        } finally {
            writer.close();
        }
    }

    /** A writer on a fresh file with a table t (v INTEGER), lingering 300 ms so that concurrent calls share a transaction. */
    private SqliteWriter lingeringWriter(String name) throws SQLException {
        EmbeddedOptions options = EmbeddedOptions.defaults().withCommitLinger(Duration.ofMillis(300));
        Connection connection = Sqlite.openWriter(dir.resolve(name), options);
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE t (v INTEGER)");
        }
        return new SqliteWriter(connection, new TopicSignals<>(), options);
    }

    private static List<Integer> values(SqliteWriter.Tx tx) throws SQLException {
        List<Integer> values = new ArrayList<>();
        try (ResultSet rs = tx.prepare("SELECT v FROM t ORDER BY v").executeQuery()) {
            while (rs.next()) {
                values.add(rs.getInt(1));
            }
        }
        return values;
    }
}
