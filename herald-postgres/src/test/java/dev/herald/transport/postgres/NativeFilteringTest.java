package dev.herald.transport.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.tck.TestEvents;
import dev.herald.transport.Consumer;
import dev.herald.transport.Delivery;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.NativeFilter;
import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionSpec;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the conformance kit does not look at: the filter runs in the pull, so rejected events never become
 * deliveries while the cursor still passes them, and a changed filter decides from the next pull on.
 */
class NativeFilteringTest {

    private TestDatabase database;
    private PostgresTransport transport;

    @BeforeEach
    void open() {
        database = TestDatabase.create();
        transport = PostgresTransport.open(database.jdbcUrl(), database.options());
    }

    @AfterEach
    void close() throws Exception {
        transport.close();
        database.close();
    }

    @Test
    void rejectedEventsBecomeNoDeliveriesWhileTheCursorPassesThem() throws Exception {
        NativeFilter filter = new NativeFilter.All(List.of(new NativeFilter.Exact("type", "keep"),
                new NativeFilter.Not(new NativeFilter.Prefix("subject", "x/"))));
        transport.createSubscription(SubscriptionSpec.of("picky", "orders").withStart(StartPosition.EARLIEST)
                .withFilter(filter));
        assertThat(transport.subscription("picky")).hasValueSatisfying(s -> assertThat(s.filter()).isEqualTo(filter));
        List<CloudEvent> events = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String type = i % 5 == 0 ? "keep" : "drop";
            events.add(event("picky", i, type, (i % 10 == 5 ? "x/" : "ok/") + i));
        }
        transport.publish("orders", EncodedEvent.all(events));
        List<String> accepted = events.stream().filter(filter::matches).map(CloudEvent::getId).toList();
        assertThat(accepted).hasSize(10);
        assertThat(transport.stats("picky").backlog()).as("the backlog counts what the filter accepts").isEqualTo(10);

        assertThat(consume("picky", accepted.size())).containsExactlyInAnyOrderElementsOf(accepted);

        assertThat(single("SELECT next_pos FROM ${s}.subscriptions WHERE name = 'picky'"))
                .as("deliveries numbered without the rejected events' gaps").isEqualTo(10);
        assertThat(single("SELECT cursor_seq FROM ${s}.subscriptions WHERE name = 'picky'"))
                .as("the cursor passed every event, rejected ones included")
                .isEqualTo(single("SELECT max(seq) FROM ${s}.events"));
        assertThat(single("SELECT count(*) FROM ${s}.deliveries")).isZero();
        assertThat(transport.stats("picky").backlog()).isZero();
    }

    @Test
    void aChangedFilterDecidesFromTheNextPullOn() throws Exception {
        SubscriptionSpec spec = SubscriptionSpec.of("changing", "orders").withStart(StartPosition.EARLIEST);
        NativeFilter onlyA = new NativeFilter.Exact("type", "a");
        NativeFilter onlyB = new NativeFilter.Exact("type", "b");
        transport.createSubscription(spec.withFilter(onlyA));
        assertThat(consumeBatch("one", spec.name())).hasSize(5).allMatch(id -> id.startsWith("one-a"));

        transport.createSubscription(spec.withFilter(onlyB));
        assertThat(transport.subscription(spec.name())).hasValueSatisfying(s -> assertThat(s.filter()).isEqualTo(onlyB));
        assertThat(consumeBatch("two", spec.name())).hasSize(5).allMatch(id -> id.startsWith("two-b"));

        transport.createSubscription(spec.withFilter(NativeFilter.ALL));
        assertThat(transport.subscription(spec.name())).hasValueSatisfying(s -> assertThat(s.filter().isAll()).isTrue());
        assertThat(consumeBatch("three", spec.name())).hasSize(10);
    }

    /** Publishes 10 events, 5 of type a and 5 of type b, and returns the ids delivered (expecting at least 5). */
    private List<String> consumeBatch(String run, String subscription) throws Exception {
        List<CloudEvent> events = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String type = i % 2 == 0 ? "a" : "b";
            events.add(CloudEventBuilder.v1(event(run, i, type, "s")).withId(run + "-" + type + "-" + i).build());
        }
        transport.publish("orders", EncodedEvent.all(events));
        return consume(subscription, 5);
    }

    /** Acks what arrives until {@code expected} deliveries came, then for a quiet second more. */
    private List<String> consume(String subscription, int expected) throws Exception {
        List<String> ids = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        long quietUntil = Long.MAX_VALUE;
        try (Consumer consumer = transport.openConsumer(subscription)) {
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                for (Delivery delivery : consumer.poll(100, Duration.ofMillis(200))) {
                    ids.add(delivery.event().getId());
                    delivery.ack();
                }
                if (ids.size() >= expected && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(1).toNanos();
                }
            }
        }
        return ids;
    }

    private static CloudEvent event(String run, int seq, String type, String subject) {
        return CloudEventBuilder.v1(TestEvents.probe(run, seq)).withType(type).withSubject(subject).build();
    }

    private long single(String sql) throws Exception {
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl());
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(sql.replace("${s}", '"' + database.schema() + '"'))) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
