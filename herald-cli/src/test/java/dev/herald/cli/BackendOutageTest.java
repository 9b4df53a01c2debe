package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.event.EventBuilder;
import dev.herald.event.JsonEvents;
import dev.herald.server.HeraldServer;
import dev.herald.server.config.ServerConfig;
import io.cloudevents.CloudEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Honest readiness on the real PostgreSQL: a {@link TcpProxy} between Herald and the database is cut
 * (the shared server itself keeps running) and restored. While it is cut, {@code /readyz} answers 503
 * naming the failing check and intake answers 503 with {@code Retry-After}, storing nothing and
 * keeping no deduplication key; once it is restored, the same batch is accepted, not as a duplicate,
 * and stored exactly once.
 */
class BackendOutageTest {

    private static final String ADMIN = "hrld-backend-outage-test-admin-token-0123456789";
    private static final String DIRECT = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path data;

    @Test
    void whileThePostgresBackendIsUnreachableNothingIsHalfStored() throws Exception {
        String schema = "herald_outage_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        try (TcpProxy proxy = TcpProxy.to("127.0.0.1", 5432)) {
            ServerConfig config = ServerConfig.fromMap(Map.of(ServerConfig.PORT.name(), "0",
                    ServerConfig.DATA.name(), data.toString(), ServerConfig.TRANSPORT.name(), "postgres",
                    "postgres.url", "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/test?user=postgres",
                    "postgres.schema", schema)).withInitialAdminToken(ADMIN);
            try (HeraldServer server = HeraldServer.builder(config)
                    .firstStartOutput(new PrintStream(new ByteArrayOutputStream())).start()) {
                URI base = URI.create("http://127.0.0.1:" + server.port() + "/");
                assertThat(get(base, "readyz").statusCode()).isEqualTo(200);
                List<CloudEvent> batch = List.of(event(server, 1), event(server, 2));

                proxy.cut();

                HttpResponse<String> notReady = get(base, "readyz");
                assertThat(notReady.statusCode()).as(notReady.body()).isEqualTo(503);
                assertThat(notReady.body()).contains("\"store\":\"failed: ");
                HttpResponse<String> refused = post(base, batch);
                assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
                assertThat(refused.headers().firstValue("Retry-After")).isPresent();

                proxy.restore();

                await().atMost(Duration.ofSeconds(30)).until(() -> get(base, "readyz").statusCode() == 200);
                HttpResponse<String> accepted = post(base, batch);
                assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
                assertThat(accepted.body()).as("no key was kept for the refused batch")
                        .contains("\"duplicates\":[]");
                assertThat(storedEvents(schema)).isEqualTo(2);
            }
        } finally {
            try (Connection connection = DriverManager.getConnection(DIRECT);
                 Statement statement = connection.createStatement()) {
                statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    private static CloudEvent event(HeraldServer server, int n) {
        return EventBuilder.create(server.store().schemas()).type("ci.pipeline.created")
                .source("https://gitlab.example.com/acme/shop").id("outage-" + n).project("gid://gitlab/Project/1")
                .data(Map.of("pipeline_id", n)).build();
    }

    private static HttpResponse<String> get(URI base, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(URI base, List<CloudEvent> events) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve("v1/events")).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + ADMIN).header("Content-Type", JsonEvents.BATCH)
                .POST(HttpRequest.BodyPublishers.ofByteArray(JsonEvents.writeBatch(events))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static long storedEvents(String schema) throws Exception {
        try (Connection connection = DriverManager.getConnection(DIRECT);
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT COUNT(*) FROM " + schema + ".events")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
