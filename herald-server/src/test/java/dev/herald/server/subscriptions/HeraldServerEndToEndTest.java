package dev.herald.server.subscriptions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The module mounted in the real {@link HeraldServer}: real tokens and scopes from {@code /v1/tokens},
 * events published over HTTP, webhook and streaming-pull delivery, graceful stop and restart.
 */
class HeraldServerEndToEndTest {

    private static final String ADMIN = "e2e-admin-token-0123456789abcdef0123456789";
    private static final String P1 = "gid://gitlab/Project/1";
    private static final String P2 = "gid://gitlab/Project/2";

    @TempDir
    Path dir;

    private Sink sink;
    private HeraldServer server;

    @BeforeEach
    void start() {
        sink = new Sink();
        server = startServer();
    }

    @AfterEach
    void stop() {
        server.close();
        sink.close();
    }

    private HeraldServer startServer() {
        ServerConfig config = ServerConfig.fromMap(Map.of(ServerConfig.PORT.name(), "0", ServerConfig.HOST.name(), "127.0.0.1",
                ServerConfig.DATA.name(), dir.toString(), ServerConfig.RATE_LIMIT.name(), "0",
                ServerConfig.SHUTDOWN_TIMEOUT.name(), "20s", ServerConfig.WEBHOOKS_SSRF_ALLOW.name(), "127.0.0.1",
                ServerConfig.WEBHOOKS_TIMEOUT.name(), "2s")).withInitialAdminToken(ADMIN);
        // The subscriptions module is one of the server's standard modules, configured from ServerConfig.
        return HeraldServer.builder(config)
                .firstStartOutput(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                .start();
    }

    private URI base() {
        return URI.create("http://127.0.0.1:" + server.port() + "/");
    }

    private Api api(String token) {
        return new Api(base(), token);
    }

    private String token(List<String> scopes, String project) {
        Map<String, Object> body = project == null ? Map.of("name", "t", "scopes", scopes)
                : Map.of("name", "t", "scopes", scopes, "project", project);
        Api.Response created = api(ADMIN).post("/v1/tokens", body);
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        return created.text("token");
    }

    private void publish(CloudEvent event) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base()
                        .resolve("/v1/events")).header("Authorization", "Bearer " + ADMIN)
                .header("Content-Type", JsonEvents.STRUCTURED)
                .POST(HttpRequest.BodyPublishers.ofByteArray(JsonEvents.write(event))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
    }

    @Test
    void aProjectTokensWebhookReceivesItsProjectsEventsSignedThroughTheRealServer() throws Exception {
        String p1 = token(List.of("subscribe:ci.*"), P1);
        Api.Response created = api(p1).post("/v1/subscriptions", Map.of("types", List.of("ci.*"),
                "sink", sink.url()));
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        String secret = created.text("secret");
        assertThat(api(token(List.of("subscribe:repository.*"), null)).get("/v1/subscriptions/"
                + created.text("id")).status()).as("another token's scopes do not cover it").isEqualTo(404);

        publish(TestEvents.withoutSchema(TestEvents.PIPELINE_CREATED, P2));
        CloudEvent mine = TestEvents.withoutSchema(TestEvents.PIPELINE_CREATED, P1);
        publish(mine);

        Sink.Received request = sink.next();
        assertThat(request.header("ce-id")).isEqualTo(mine.getId());
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring(6)), "HmacSHA256"));
        mac.update((request.header("webhook-id") + "." + request.header("webhook-timestamp") + ".")
                .getBytes(StandardCharsets.UTF_8));
        assertThat(request.header("webhook-signature"))
                .isEqualTo("v1," + Base64.getEncoder().encodeToString(mac.doFinal(request.body())));
        sink.expectNothing(Duration.ofMillis(300));
    }

    @Test
    void streamingPullThroughTheRealServerAndAGracefulStopThatDoesNotWaitForStreams() throws Exception {
        String subscriber = token(List.of("subscribe:ci.pipeline.*"), null);
        String id = api(subscriber).post("/v1/subscriptions", Map.of("id", "pull-e2e", "protocol", "PULL",
                "types", List.of("ci.pipeline.created"))).text("id");
        SseClient stream = SseClient.connect(base().resolve("/v1/subscriptions/" + id + "/stream"), subscriber, null);
        assertThat(stream.status()).isEqualTo(200);

        CloudEvent event = TestEvents.withoutSchema(TestEvents.PIPELINE_CREATED, P1);
        publish(event);
        SseClient.Message message = stream.next(Duration.ofSeconds(10));
        assertThat(message.id()).isEqualTo(event.getId());
        JsonNode unacked = api(subscriber).get("/v1/subscriptions/" + id).body();
        assertThat(unacked.path("stats").path("unacked").asInt()).isEqualTo(1);

        // Not acked: a stop must release it, not lose it, and must not wait out the 20 s shutdown timeout.
        long start = System.nanoTime();
        server.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(stream.awaitEnd(Duration.ofSeconds(5))).isTrue();
        server = startServer();
        SseClient again = SseClient.connect(base().resolve("/v1/subscriptions/" + id + "/stream"), subscriber,
                message.id());
        assertThat(again.next(Duration.ofSeconds(10)).id()).isEqualTo(event.getId());
        Api.Response acked = api(subscriber).post("/v1/subscriptions/" + id + "/acks", Map.of("ids",
                List.of(event.getId())));
        assertThat(acked.body().path("acked").asInt()).isEqualTo(1);
        again.close();
    }
}
