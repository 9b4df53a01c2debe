package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.event.EventBuilder;
import io.cloudevents.CloudEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two servers on one PostgreSQL state serve one schema catalog: a version registered on one is used by the
 * other within a second (change feed), and the second one registering the same type builds on the first
 * one's version rather than taking its number.
 */
class SharedSchemasTest {

    private static final String URL = Optional.ofNullable(System.getenv("HERALD_POSTGRES_URL"))
            .orElse("jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    private static final String TYPE = "shop.order.created";

    private final String schema = "schemas_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    @TempDir
    Path dirA;
    @TempDir
    Path dirB;

    @AfterEach
    void dropSchema() throws SQLException {
        try (Connection connection = DriverManager.getConnection(URL); Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    private Harness start(Path dir) {
        return Harness.start(dir, Map.of("state.url", URL, "state.schema", schema), Harness.FIXED_ADMIN);
    }

    private static Harness.Response register(Harness h, String body) {
        return h.send("POST", "/v1/schemas/" + TYPE, h.adminToken, "application/json",
                body.getBytes(StandardCharsets.UTF_8));
    }

    private static CloudEvent order(Map<String, Object> data) {
        return EventBuilder.create().type(TYPE).source("/shop").data(data).build();
    }

    @Test
    void aSchemaRegisteredOnOneServerIsUsedByTheOtherWithinASecond() {
        try (Harness a = start(dirA); Harness b = start(dirB)) {
            CloudEvent event = order(Map.of("order_id", 7));
            assertThat(b.structured(b.adminToken, event).status()).as("unknown type before").isEqualTo(400);

            assertThat(register(a, SchemasApiTest.V1).status()).isEqualTo(201);

            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                    .until(() -> b.structured(b.adminToken, order(Map.of("order_id", 7))).status() == 202);
            assertThat(b.structured(b.adminToken, order(Map.of("order_id", "not a number"))).status())
                    .as("and B validates with it").isEqualTo(400);
            assertThat(b.get("/v1/schemas/" + TYPE + "/v1", null).json().get("required").get(0).asText())
                    .isEqualTo("order_id");
        }
    }

    @Test
    void registeringOnBothBuildsOneHistory() {
        try (Harness a = start(dirA); Harness b = start(dirB)) {
            assertThat(register(a, SchemasApiTest.V1).status()).isEqualTo(201);
            Harness.Response again = register(b, SchemasApiTest.V1);
            assertThat(again.status()).as("identical on the other: unchanged, " + again).isEqualTo(200);

            assertThat(register(a, SchemasApiTest.V2_COMPATIBLE).status()).isEqualTo(201);
            Harness.Response next = register(b, SchemasApiTest.V2_COMPATIBLE.replace("\"note\"", "\"memo\""));
            assertThat(next.status()).as(next.toString()).isEqualTo(201);
            assertThat(next.json().get("version").asInt()).as("on top of A's v2, whether or not B had heard of it")
                    .isEqualTo(3);
            assertThat(register(b, SchemasApiTest.V3_INCOMPATIBLE).status()).isEqualTo(409);

            await().atMost(Duration.ofSeconds(1)).until(() ->
                    a.get("/v1/schemas/" + TYPE, null).json().get("latest").asInt() == 3);
        }
        try (Harness restarted = start(dirA)) {
            assertThat(restarted.get("/v1/schemas/" + TYPE + "/v3", null).json().get("properties").has("memo"))
                    .isTrue();
        }
    }
}
