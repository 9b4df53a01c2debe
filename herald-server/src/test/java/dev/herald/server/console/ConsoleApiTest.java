package dev.herald.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.HeraldServer;
import dev.herald.server.config.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the console needs from the server: its files under a strict CSP, the switch, and the /v1 additions. */
class ConsoleApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN = "console-api-admin-token-0123456789abcdef0123";
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private HeraldServer start(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(Map.of(ServerConfig.PORT.name(), "0",
                ServerConfig.HOST.name(), "127.0.0.1", ServerConfig.DATA.name(), dir.toString(),
                ServerConfig.SHUTDOWN_TIMEOUT.name(), "2s"));
        settings.putAll(extra);
        return HeraldServer.builder(ServerConfig.fromMap(settings).withInitialAdminToken(ADMIN))
                .firstStartOutput(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).start();
    }

    private HttpResponse<String> get(HeraldServer server, String path, String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String send(HeraldServer server, String path, String contentType, String body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Authorization", "Bearer " + ADMIN).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
        return response.body();
    }

    @Test
    void servesTheConsoleWithAStrictPolicyAndNothingOutsideIt() throws Exception {
        try (HeraldServer server = start(Map.of())) {
            HttpResponse<String> page = get(server, "/console/", null);
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
            assertThat(page.headers().firstValue("Content-Security-Policy")).contains(ConsoleModule.CONTENT_SECURITY_POLICY);
            assertThat(page.body()).contains("/console/js/app.js").doesNotContain("<script>").doesNotContain("style=");
            assertThat(get(server, "/console", null).statusCode()).isEqualTo(200);
            assertThat(get(server, "/console/js/app.js", null).headers().firstValue("Content-Type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("text/javascript"));
            assertThat(get(server, "/console/vendor/uplot/uPlot.esm.js", null).statusCode()).isEqualTo(200);
            String etag = get(server, "/console/console.css", null).headers().firstValue("ETag").orElseThrow();
            HttpResponse<String> revalidated = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/console/console.css")).header("If-None-Match", etag).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(revalidated.statusCode()).isEqualTo(304);
            assertThat(get(server, "/console/js/..%2F..%2Fherald%2Fcatalog%2Frepository.push%2Fv1.json", null).statusCode()).isIn(400, 404);
            assertThat(get(server, "/console/nothing.js", null).statusCode()).isEqualTo(404);
            assertThat(get(server, "/console/logback.xml", null).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void consoleEnabledFalseServesNoConsole() throws Exception {
        try (HeraldServer server = start(Map.of(ServerConfig.CONSOLE_ENABLED.name(), "false"))) {
            assertThat(get(server, "/console/", null).statusCode()).isEqualTo(404);
            assertThat(get(server, "/v1/whoami", ADMIN).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void statsAreAdminOnlyAndCountPublishedEvents() throws Exception {
        try (HeraldServer server = start(Map.of())) {
            publish(server, "a-1", null);
            String reader = JSON.readTree(send(server, "/v1/tokens", "application/json",
                    "{\"name\":\"reader\",\"scopes\":[\"subscribe:*\"]}")).get("token").asText();
            assertThat(get(server, "/v1/stats", reader).statusCode()).isEqualTo(403);
            JsonNode stats = JSON.readTree(get(server, "/v1/stats", ADMIN).body());
            assertThat(stats.at("/published/total").asLong()).isEqualTo(1);
            assertThat(stats.at("/published/byType/ci.pipeline.created").asLong()).isEqualTo(1);
        }
    }

    @Test
    void eventsFilterByIdAndCausationAndCorrelation() throws Exception {
        try (HeraldServer server = start(Map.of())) {
            publish(server, "cause", null);
            publish(server, "effect", "cause");
            publish(server, "unrelated", null);
            assertThat(ids(get(server, "/v1/events?id=effect", ADMIN))).containsExactly("effect");
            assertThat(ids(get(server, "/v1/events?causationid=cause", ADMIN))).containsExactly("effect");
            assertThat(ids(get(server, "/v1/events?correlationid=req-cause", ADMIN))).containsExactly("effect");
        }
    }

    @Test
    void comparesTwoSchemaVersionsInEveryMode() throws Exception {
        try (HeraldServer server = start(Map.of())) {
            JsonNode verdict = JSON.readTree(get(server, "/v1/schemas/ci.pipeline.finished/compatibility?from=1&to=2", null).body());
            assertThat(verdict.get("enforced").asText()).isEqualTo("BACKWARD");
            assertThat(verdict.at("/verdicts/BACKWARD/compatible").asBoolean()).isTrue();
            assertThat(verdict.get("verdicts").propertyStream().map(Map.Entry::getKey))
                    .containsExactly("BACKWARD", "FORWARD", "FULL");
            HttpResponse<String> bad = get(server, "/v1/schemas/ci.pipeline.finished/compatibility?from=9&to=x", null);
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("\"where\":\"from\"").contains("\"where\":\"to\"");
        }
    }

    private void publish(HeraldServer server, String id, String causationId) throws Exception {
        String links = causationId == null ? "" : ",\"causationid\":\"" + causationId + "\",\"correlationid\":\"req-" + causationId + "\"";
        send(server, "/v1/events", "application/cloudevents+json", "{\"specversion\":\"1.0\",\"id\":\"" + id
                + "\",\"source\":\"https://gitlab.example.com/a\",\"type\":\"ci.pipeline.created\",\"time\":\""
                + Instant.now() + "\"" + links + ",\"data\":{\"pipeline_id\":1}}");
    }

    private static java.util.List<String> ids(HttpResponse<String> response) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        java.util.List<String> ids = new java.util.ArrayList<>();
        JSON.readTree(response.body()).get("events").forEach(e -> ids.add(e.get("id").asText()));
        return ids;
    }
}
