package dev.herald.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.event.InvalidEventException;
import dev.herald.event.Violation;
import dev.herald.server.state.SecretBox;
import dev.herald.server.state.ServerDatabase;
import dev.herald.transport.EncodedEvent;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Intake on the shared state (real PostgreSQL): concurrent requests' events and keys commit in shared
 * transactions, and each request still gets its own outcome — stored, duplicate, refused — with nothing
 * of a refused request left behind.
 */
class KeyedGroupCommitTest {

    private static final String URL = Optional.ofNullable(System.getenv("HERALD_POSTGRES_URL"))
            .orElse("jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    private static final int REQUESTS = 40;
    /** One publisher for every request, as intake has: refuses a call holding a "bad" event, fails on "boom". */
    private static final Deduplicator.TransactionalPublish PUBLISH = KeyedGroupCommitTest::store;

    private final String schema = "group_commit_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private ServerDatabase db;
    private Deduplicator dedup;

    @BeforeEach
    void open() {
        db = ServerDatabase.openPostgres(URL, schema, SecretBox.of(SecretBox.generateKey(), List.of()));
        db.with(connection -> {
            try (Statement ddl = connection.createStatement()) {
                ddl.execute("CREATE TABLE stored (id text PRIMARY KEY, tx xid8 NOT NULL DEFAULT pg_current_xact_id())");
            }
            return null;
        });
        dedup = new Deduplicator(db, Duration.ofHours(1), true);
    }

    @AfterEach
    void drop() throws SQLException {
        dedup.close();
        db.close();
        try (Connection connection = DriverManager.getConnection(URL); Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @Test
    void concurrentRequestsShareCommitsAndEachIsStoredOnce() throws Exception {
        List<Future<Deduplicator.Claim>> requests = concurrently(REQUESTS, i -> publish(events("r" + i, 3), PUBLISH));
        for (Future<Deduplicator.Claim> request : requests) {
            assertThat(request.get().fresh()).hasSize(3);
        }
        assertThat(count("SELECT count(*) FROM stored")).isEqualTo(REQUESTS * 3);
        assertThat(count("SELECT count(*) FROM dedup_keys")).isEqualTo(REQUESTS * 3);
        assertThat(count("SELECT count(DISTINCT tx) FROM stored")).as("transactions for %d requests", REQUESTS)
                .isLessThan(REQUESTS);

        Deduplicator.Claim again = publish(events("r7", 3), PUBLISH);
        assertThat(again.fresh()).isEmpty();
        assertThat(again.duplicates()).hasSize(3);
        assertThat(count("SELECT count(*) FROM stored")).isEqualTo(REQUESTS * 3);
    }

    @Test
    void aRefusedRequestLeavesNothingAndFailsNoOther() throws Exception {
        List<Future<Deduplicator.Claim>> requests = concurrently(REQUESTS, i -> publish(events(
                (i % 10 == 3 ? "bad" : "r") + i, 2), PUBLISH));
        for (int i = 0; i < REQUESTS; i++) {
            Future<Deduplicator.Claim> request = requests.get(i);
            if (i % 10 == 3) {
                assertThatThrownBy(request::get).hasCauseInstanceOf(InvalidEventException.class);
            } else {
                assertThat(request.get().fresh()).hasSize(2);
            }
        }
        int refused = REQUESTS / 10;
        assertThat(count("SELECT count(*) FROM stored")).isEqualTo((REQUESTS - refused) * 2);
        assertThat(count("SELECT count(*) FROM dedup_keys")).as("no key of a refused request")
                .isEqualTo((REQUESTS - refused) * 2);

        Deduplicator.Claim retried = publish(events("bad3", 2), KeyedGroupCommitTest::insert);
        assertThat(retried.fresh()).as("a refused request's keys are free for its retry").hasSize(2);
    }

    @Test
    void aDatabaseErrorInOneRequestFailsOnlyThatRequest() throws Exception {
        List<Future<Deduplicator.Claim>> requests = concurrently(REQUESTS, i -> publish(events(
                (i == 5 ? "boom" : "r") + i, 1), PUBLISH));
        for (int i = 0; i < REQUESTS; i++) {
            if (i == 5) {
                assertThatThrownBy(requests.get(i)::get).hasMessageContaining("no_such_table");
            } else {
                assertThat(requests.get(i).get().fresh()).hasSize(1);
            }
        }
        assertThat(count("SELECT count(*) FROM stored")).isEqualTo(REQUESTS - 1);
        assertThat(count("SELECT count(*) FROM dedup_keys")).isEqualTo(REQUESTS - 1);
    }

    private Deduplicator.Claim publish(List<EncodedEvent> events, Deduplicator.TransactionalPublish publish)
            throws InterruptedException {
        try (Deduplicator.Claim claim = dedup.claim(events)) {
            claim.publishWithKeys(publish);
            claim.accepted();
            return claim;
        }
    }

    @FunctionalInterface
    private interface Request {
        Deduplicator.Claim run(int index) throws Exception;
    }

    private static List<Future<Deduplicator.Claim>> concurrently(int count, Request request) {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Deduplicator.Claim>> futures = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < count; i++) {
                int index = i;
                futures.add(threads.submit(() -> {
                    start.await();
                    return request.run(index);
                }));
            }
            start.countDown();
        }
        return futures;
    }

    private static List<EncodedEvent> events(String prefix, int count) {
        List<EncodedEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(DeduplicatorTest.event("/s", prefix + "-" + i));
        }
        return events;
    }

    private static void store(List<EncodedEvent> events, Connection connection) {
        if (events.stream().anyMatch(event -> event.event().getId().startsWith("bad"))) {
            throw new InvalidEventException(List.of(new Violation("data", "refused by the test", null)));
        }
        if (events.stream().anyMatch(event -> event.event().getId().startsWith("boom"))) {
            breakTransaction(connection);
        }
        insert(events, connection);
    }

    private static void insert(List<EncodedEvent> events, Connection connection) {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO stored (id) VALUES (?)")) {
            for (EncodedEvent event : events) {
                insert.setString(1, event.event().getId());
                insert.executeUpdate();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void breakTransaction(Connection connection) {
        try (Statement statement = connection.createStatement()) {
            statement.execute("INSERT INTO no_such_table VALUES (1)");
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private long count(String sql) {
        return db.with(connection -> {
            try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }
}
