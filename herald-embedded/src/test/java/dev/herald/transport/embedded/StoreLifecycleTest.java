package dev.herald.transport.embedded;

import static dev.herald.transport.embedded.Fixtures.drain;
import static dev.herald.transport.embedded.Fixtures.events;
import static dev.herald.transport.embedded.Fixtures.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.transport.Consumer;
import dev.herald.transport.Delivery;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionSpec;
import dev.herald.transport.TransportException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreLifecycleTest {

    private static final Duration SHORT = Duration.ofMillis(100);

    @TempDir
    Path dir;

    @Test
    void reopeningKeepsEventsPositionsAndDefinitions() throws Exception {
        Path file = dir.resolve("nested/dir/herald.db");
        try (EmbeddedTransport transport = EmbeddedTransport.open(file)) {
            transport.createSubscription(new SubscriptionSpec("s", "t", StartPosition.EARLIEST, true,
                    Duration.ofMillis(5)));
            transport.publish("t", EncodedEvent.all(events("e", 10)));
            Consumer consumer = transport.openConsumer("s");
            List<Delivery> deliveries = Fixtures.pollUntil(consumer, 5, Duration.ofSeconds(2));
            assertThat(ids(deliveries)).containsExactly("e-0", "e-1", "e-2", "e-3", "e-4");
            deliveries.subList(0, 3).forEach(Delivery::ack);
            // Closing the transport closes the consumer: e-3 and e-4 are released, not lost.
        }
        try (EmbeddedTransport transport = EmbeddedTransport.open(file)) {
            assertThat(transport.subscription("s")).contains(
                    new SubscriptionSpec("s", "t", StartPosition.EARLIEST, true, Duration.ofMillis(5)));
            assertThat(transport.stats("s").backlog()).isEqualTo(7);
            try (Consumer consumer = transport.openConsumer("s")) {
                assertThat(drain(consumer, SHORT)).containsExactly("e-3", "e-4", "e-5", "e-6", "e-7", "e-8", "e-9");
            }
        }
    }

    @Test
    void openingReleasesLeasesLeftBehind() throws Exception {
        Path file = dir.resolve("herald.db");
        try (EmbeddedTransport transport = EmbeddedTransport.open(file)) {
            transport.createSubscription(SubscriptionSpec.of("s", "t").withStart(StartPosition.EARLIEST));
            transport.publish("t", EncodedEvent.all(events("e", 3)));
        }
        // A process that died holding leases leaves rows like these behind.
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement statement = connection.createStatement()) {
            statement.execute("INSERT INTO deliveries (subscription_id, seq, published_at, attempts, visible_at,"
                    + " leased_by, first_attempt_at) SELECT 1, seq, published_at, 1, 9000000000000000000, 42,"
                    + " published_at FROM events");
            statement.execute("UPDATE subscriptions SET cursor = (SELECT MAX(seq) FROM events)");
        }
        try (EmbeddedTransport transport = EmbeddedTransport.open(file);
             Consumer consumer = transport.openConsumer("s")) {
            List<Delivery> again = consumer.poll(10, SHORT);
            assertThat(ids(again)).containsExactly("e-0", "e-1", "e-2");
            assertThat(again).allSatisfy(d -> assertThat(d.attempt()).isEqualTo(2));
        }
    }

    @Test
    void aStoreIsOpenedByOneTransportAtATime() {
        Path file = dir.resolve("herald.db");
        try (EmbeddedTransport first = EmbeddedTransport.open(file)) {
            assertThatThrownBy(() -> EmbeddedTransport.open(file))
                    .isInstanceOf(TransportException.class).hasMessageContaining("already open");
            first.publish("t", EncodedEvent.all(events("e", 1)));
        }
        EmbeddedTransport.open(file).close();
    }

    @Test
    void migrationsRunOnceAndRecordTheirVersion() throws Exception {
        Path file = dir.resolve("herald.db");
        EmbeddedTransport.open(file).close();
        EmbeddedTransport.open(file).close();
        try (Connection connection = Sqlite.openWriter(file, EmbeddedOptions.defaults())) {
            assertThat(Schema.migrate(connection)).isEqualTo(Schema.latestVersion());
            assertThat(versions(connection)).containsExactly(1, 2);
        }
    }

    @Test
    void aStoreFromANewerHeraldIsRefused() throws Exception {
        Path file = dir.resolve("herald.db");
        EmbeddedTransport.open(file).close();
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement statement = connection.createStatement()) {
            statement.execute("INSERT INTO schema_version VALUES (99, 'from the future', 0)");
        }
        assertThatThrownBy(() -> EmbeddedTransport.open(file))
                .isInstanceOf(TransportException.class).hasMessageContaining("schema version 99");
        // The refused open released the file again.
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement statement = connection.createStatement()) {
            statement.execute("DELETE FROM schema_version WHERE version = 99");
        }
        EmbeddedTransport.open(file).close();
    }

    private static List<Integer> versions(Connection connection) throws Exception {
        List<Integer> versions = new ArrayList<>();
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT version FROM schema_version ORDER BY version")) {
            while (rs.next()) {
                versions.add(rs.getInt(1));
            }
        }
        return versions;
    }
}
