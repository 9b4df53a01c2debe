package dev.herald.transport.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.event.EventBuilder;
import dev.herald.event.JsonEvents;
import dev.herald.tck.TestEvents;
import dev.herald.transport.Consumer;
import dev.herald.transport.Delivery;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.LogFilter;
import dev.herald.transport.LogQuery;
import dev.herald.transport.TransportException;
import dev.herald.transport.TypeGlob;
import io.cloudevents.CloudEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Versioned migrations: created on first open, idempotent, safe when processes start together. */
class SchemaMigrationTest {

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
    void transportsStartingTogetherOnANewSchemaMigrateItOnce() throws Exception {
        int starters = 6;
        CountDownLatch go = new CountDownLatch(1);
        ConcurrentLinkedQueue<Object> outcomes = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < starters; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                    outcomes.add(PostgresTransport.open(database.jdbcUrl(), database.options().withPoolSize(1)));
                } catch (Throwable e) {
                    outcomes.add(e);
                }
            }));
        }
        go.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        for (Object outcome : outcomes) {
            if (outcome instanceof PostgresTransport transport) {
                transport.close();
            }
        }
        assertThat(outcomes).allMatch(PostgresTransport.class::isInstance);
        assertThat(versions()).containsExactly(1, 2, 3);

        // Opening again changes nothing.
        PostgresTransport.open(database.jdbcUrl(), database.options()).close();
        assertThat(versions()).containsExactly(1, 2, 3);
    }

    @Test
    void aSchemaFromANewerHeraldIsRefused() throws Exception {
        PostgresTransport.open(database.jdbcUrl(), database.options()).close();
        database.execute("INSERT INTO ${s}.schema_version (version, description) VALUES (999, 'from the future')");
        assertThatThrownBy(() -> PostgresTransport.open(database.jdbcUrl(), database.options()))
                .isInstanceOf(TransportException.class).hasMessageContaining("newer than this Herald knows");
    }

    @Test
    void version2FillsTheQueryColumnsOfEventsStoredBefore() throws Exception {
        // A schema as the first release left it, holding one event.
        database.execute("CREATE SCHEMA ${s}");
        database.execute("CREATE TABLE ${s}.schema_version (version integer PRIMARY KEY, description text NOT NULL,"
                + " applied_at timestamptz NOT NULL DEFAULT clock_timestamp())");
        for (String sql : Schema.MIGRATIONS.getFirst().statements()) {
            database.execute(sql);
        }
        database.execute("INSERT INTO ${s}.schema_version (version, description) VALUES (1, 'first release')");
        CloudEvent old = EventBuilder.create().type("ci.pipeline.created").source("https://gitlab.example.com")
                .subject("pipeline/1").project("gid://gitlab/Project/7")
                .time(OffsetDateTime.parse("2026-11-01T10:00:00+02:00")).data(Map.of("id", 1)).build();
        database.execute("INSERT INTO ${s}.topics (name) VALUES ('events')");
        database.execute("INSERT INTO ${s}.events (topic_id, data) VALUES ((SELECT id FROM ${s}.topics),"
                + " convert_to('" + new String(JsonEvents.write(old), StandardCharsets.UTF_8).replace("'", "''")
                + "', 'UTF8'))");

        try (PostgresTransport transport = PostgresTransport.open(database.jdbcUrl(), database.options())) {
            LogFilter filter = LogFilter.ALL.withTypes(List.of(new TypeGlob("ci.*"))).withProject("gid://gitlab/Project/7")
                    .withSubject("pipeline/1").withSource("https://gitlab.example.com")
                    .withTime(Instant.parse("2026-11-01T08:00:00Z"), Instant.parse("2026-11-01T08:00:01Z"));
            assertThat(transport.query(LogQuery.of("events").withFilter(filter)).entries())
                    .extracting(e -> e.event().getId()).containsExactly(old.getId());
        }
        assertThat(versions()).containsExactly(1, 2, 3);
    }

    @Test
    void version3LeavesExistingSubscriptionsWithoutAFilter() throws Exception {
        // A schema at version 2 with a subscription reading from the start.
        database.execute("CREATE SCHEMA ${s}");
        database.execute("CREATE TABLE ${s}.schema_version (version integer PRIMARY KEY, description text NOT NULL,"
                + " applied_at timestamptz NOT NULL DEFAULT clock_timestamp())");
        for (Schema.Migration migration : Schema.MIGRATIONS.subList(0, 2)) {
            for (String sql : migration.statements()) {
                database.execute(sql);
            }
            database.execute("INSERT INTO ${s}.schema_version (version, description) VALUES (" + migration.version()
                    + ", 'before')");
        }
        database.execute("INSERT INTO ${s}.topics (name) VALUES ('events')");
        database.execute("INSERT INTO ${s}.subscriptions (name, topic_id, start, ordered, delay_micros, cursor_xid,"
                + " cursor_seq) VALUES ('old', (SELECT id FROM ${s}.topics), 'earliest', false, 0, '0'::xid8, 0)");

        try (PostgresTransport transport = PostgresTransport.open(database.jdbcUrl(), database.options())) {
            assertThat(transport.subscription("old")).hasValueSatisfying(s -> assertThat(s.filter().isAll()).isTrue());
            List<CloudEvent> events = TestEvents.probes("old", 3);
            transport.publish("events", EncodedEvent.all(events));
            List<String> received = new ArrayList<>();
            try (Consumer consumer = transport.openConsumer("old")) {
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (received.size() < events.size() && System.nanoTime() < deadline) {
                    for (Delivery delivery : consumer.poll(10, Duration.ofMillis(500))) {
                        received.add(delivery.event().getId());
                        delivery.ack();
                    }
                }
            }
            assertThat(received).containsExactlyElementsOf(events.stream().map(CloudEvent::getId).toList());
        }
        assertThat(versions()).containsExactly(1, 2, 3);
    }

    private List<Integer> versions() throws Exception {
        List<Integer> versions = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl());
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT version FROM \"" + database.schema()
                     + "\".schema_version ORDER BY version")) {
            while (rs.next()) {
                versions.add(rs.getInt(1));
            }
        }
        return versions;
    }
}
