package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An instance moved from its own SQLite state to a new PostgreSQL state brings its tokens, subscriptions
 * (with their sealed secrets) and registered schemas along, once; a shared state already in use is left
 * alone.
 */
class StateImportTest {

    private static final String URL = Optional.ofNullable(System.getenv("HERALD_POSTGRES_URL"))
            .orElse("jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

    private final String schema = "import_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    @TempDir
    Path dir;
    @TempDir
    Path other;

    @AfterEach
    void dropSchema() throws SQLException {
        try (Connection connection = DriverManager.getConnection(URL); Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    private Harness onPostgres(Path data) {
        return Harness.start(data, Map.of("state.url", URL, "state.schema", schema), Harness.FIXED_ADMIN);
    }

    @Test
    void theSingleInstanceStateMovesIntoANewSharedStateOnce() {
        String admin;
        String producer;
        try (Harness single = Harness.start(dir)) {
            admin = single.adminToken;
            producer = single.createToken("ci", java.util.List.of("publish:*"), null);
            assertThat(single.send("POST", "/v1/schemas/shop.order.created", admin, "application/json",
                    SchemasApiTest.V1.getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(201);
            ObjectNode subscription = Harness.JSON.createObjectNode().put("id", "orders")
                    .put("sink", "https://93.184.216.34/hooks/orders").put("secret", "whsec_" + "a".repeat(32));
            subscription.putArray("types").add("shop.order.created");
            Harness.Response created = single.postJson("/v1/subscriptions", admin, subscription);
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
        }

        try (Harness shared = onPostgres(dir)) {
            assertThat(shared.get("/v1/tokens", admin).status()).as("the old admin token works").isEqualTo(200);
            assertThat(shared.structured(producer, Harness.pipeline(1, null)).status()).isEqualTo(202);
            assertThat(shared.get("/v1/schemas/shop.order.created", null).json().get("latest").asInt()).isEqualTo(1);
            Harness.Response orders = shared.get("/v1/subscriptions/orders", admin);
            assertThat(orders.status()).as(orders.toString()).isEqualTo(200);
            assertThat(shared.firstStartOutput).as("no new admin token: the state has one").doesNotContain("hrld_");
        }
        assertThat(dir.resolve("server.db")).doesNotExist();
        assertThat(dir.resolve("server.db.imported")).exists();
    }

    @Test
    void aSharedStateInUseIsNotMixedWithAnotherInstancesState() throws Exception {
        try (Harness first = onPostgres(other)) {
            assertThat(first.get("/v1/tokens", Harness.FIXED_ADMIN).status()).isEqualTo(200);
        }
        String admin;
        try (Harness single = Harness.start(dir)) {
            admin = single.adminToken;
        }

        try (Harness shared = onPostgres(dir)) {
            assertThat(shared.get("/v1/tokens", admin).status()).as("the single instance's token").isEqualTo(401);
            assertThat(shared.get("/v1/tokens", Harness.FIXED_ADMIN).status()).isEqualTo(200);
        }
        assertThat(Files.exists(dir.resolve("server.db"))).as("left in place").isTrue();
    }
}
