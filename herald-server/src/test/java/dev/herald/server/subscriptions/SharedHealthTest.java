package dev.herald.server.subscriptions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.state.SecretBox;
import dev.herald.server.state.ServerDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Health counted in the shared row: two instances (two state connections on one PostgreSQL schema)
 * failing deliveries of the same subscription at once add to one count, with no update lost; a success
 * on either clears it. This is what makes auto-disable see the failures of every instance.
 */
class SharedHealthTest {

    private static final String URL = Optional.ofNullable(System.getenv("HERALD_POSTGRES_URL"))
            .orElse("jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    private final String schema = "health_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private final SecretBox secrets = SecretBox.of(SecretBox.generateKey(), List.of());

    @AfterEach
    void dropSchema() throws SQLException {
        try (Connection connection = DriverManager.getConnection(URL); Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @Test
    void failuresOnTwoInstancesAddUpAtomicallyAndASuccessClearsThem() {
        try (ServerDatabase one = ServerDatabase.openPostgres(URL, schema, secrets);
             ServerDatabase two = ServerDatabase.openPostgres(URL, schema, secrets)) {
            one.with(connection -> {
                try (PreparedStatement insert = connection.prepareStatement("INSERT INTO api_subscriptions (id, "
                        + "definition, created_at, updated_at, status) VALUES ('orders', '{}', ?, ?, 'active')")) {
                    insert.setString(1, Instant.now().toString());
                    insert.setString(2, Instant.now().toString());
                    return insert.executeUpdate();
                }
            });
            SubscriptionRepository onOne = new SubscriptionRepository(one);
            SubscriptionRepository onTwo = new SubscriptionRepository(two);
            Instant first = Instant.parse("2026-12-01T10:00:00Z");

            CompletableFuture<?> a = CompletableFuture.runAsync(() -> IntStream.range(0, 25)
                    .forEach(i -> onOne.recordFailure("orders", "503 from one", first.plusSeconds(i))));
            CompletableFuture<?> b = CompletableFuture.runAsync(() -> IntStream.range(0, 25)
                    .forEach(i -> onTwo.recordFailure("orders", "503 from two", first.plusSeconds(i))));
            CompletableFuture.allOf(a, b).join();

            SubscriptionRecord.Health after = onOne.recordFailure("orders", "timeout", first.plusSeconds(60));
            assertThat(after.consecutiveFailures()).as("25 + 25 + 1, none lost").isEqualTo(51);
            assertThat(after.failingSince()).as("the first failure's time, kept").isEqualTo(first);
            assertThat(after.lastError()).isEqualTo("timeout");

            onTwo.recordSuccess("orders", first.plusSeconds(61));
            SubscriptionRecord.Health cleared = onOne.recordFailure("orders", "503", first.plusSeconds(62));
            assertThat(cleared.consecutiveFailures()).isEqualTo(1);
            assertThat(cleared.failingSince()).isEqualTo(first.plusSeconds(62));
            assertThat(cleared.lastSuccessAt()).isEqualTo(first.plusSeconds(61));
        }
    }
}
