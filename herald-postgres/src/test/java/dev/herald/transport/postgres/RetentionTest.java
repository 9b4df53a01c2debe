package dev.herald.transport.postgres;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Retention by age deletes old events, but never those a subscription still needs. */
class RetentionTest {

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
    void oldEventsGoUnlessASubscriptionStillNeedsThem() throws Exception {
        PostgresOptions options = database.options().withRetentionMaxAge(Duration.ofMillis(300));
        try (PostgresTransport transport = PostgresTransport.open(database.jdbcUrl(), options)) {
            transport.createSubscription(SubscriptionSpec.of("done", "old").withStart(StartPosition.EARLIEST));
            transport.createSubscription(SubscriptionSpec.of("slow", "old").withStart(StartPosition.EARLIEST));
            transport.publish("old", EncodedEvent.all(TestEvents.probes("old", 30)));
            transport.publish("unread", EncodedEvent.all(TestEvents.probes("unread", 10)));
            try (Consumer consumer = transport.openConsumer("done")) {
                int acked = 0;
                while (acked < 30) {
                    for (Delivery delivery : consumer.poll(30, Duration.ofSeconds(1))) {
                        delivery.ack();
                        acked++;
                    }
                }
            }
            Thread.sleep(400);
            transport.runRetention();
            assertThat(count("old")).as("events the slow subscription has not read").isEqualTo(30);
            assertThat(count("unread")).as("a topic nobody subscribes to is retained by age only").isZero();

            transport.deleteSubscription("slow");
            transport.runRetention();
            assertThat(count("old")).isZero();
        }
    }

    private long count(String topic) throws Exception {
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl());
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT count(*) FROM \"" + database.schema() + "\".events e JOIN \""
                     + database.schema() + "\".topics t ON t.id = e.topic_id WHERE t.name = '" + topic + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
