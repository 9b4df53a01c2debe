package dev.herald.gitlab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.HeraldServer;
import dev.herald.server.config.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

/** A real {@code herald serve} (with herald-gitlab found on the class path) and an HTTP client for it. */
final class GitLabServer implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String ADMIN = "hrld_admin_for_the_gitlab_tests_0123456789abcdef";
    /** GitLab's webhook payload examples and EventStore schemas, copied into the test resources. */
    static final Path FIXTURES = fixtures();

    final HeraldServer server;
    final HttpClient http = HttpClient.newHttpClient();

    GitLabServer(Path data) {
        ServerConfig config = ServerConfig.fromMap(Map.of("port", "0", "host", "127.0.0.1", "data", data.toString(),
                "webhooks.ssrf-allow", "127.0.0.1")).withInitialAdminToken(ADMIN);
        server = HeraldServer.builder(config).firstStartOutput(new PrintStream(new ByteArrayOutputStream())).start();
    }

    /** Registers a GitLab source the way {@code herald gitlab sources register} does; returns its secret. */
    String registerSource(String instance) {
        JsonNode created = send("POST", "/v1/tokens", Map.of("Authorization", "Bearer " + ADMIN),
                "{\"name\": \"gitlab:" + instance + "\", \"scopes\": [\"publish:com.gitlab.*\"]}").body();
        return created.path("token").asText();
    }

    record Response(int status, JsonNode body) {
    }

    Response send(String method, String path, Map<String, String> headers, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        if (body != null && !headers.containsKey("Content-Type")) {
            request.header("Content-Type", "application/json");
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
            return new Response(response.statusCode(), json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Every stored event, oldest first, through {@code GET /v1/events}. */
    JsonNode events() {
        return send("GET", "/v1/events?limit=1000", Map.of("Authorization", "Bearer " + ADMIN), null).body();
    }

    private static Path fixtures() {
        try {
            return Path.of(GitLabServer.class.getResource("/gitlab").toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
