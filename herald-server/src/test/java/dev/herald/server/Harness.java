package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.event.EventBuilder;
import dev.herald.event.JsonEvents;
import dev.herald.schema.SchemaRegistry;
import dev.herald.server.config.ServerConfig;
import io.cloudevents.CloudEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** A server on a random port in a temporary directory, and a java.net.http client to talk to it. */
final class Harness implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final SchemaRegistry CATALOG = SchemaRegistry.builtinCatalog();

    final Path dir;
    final HeraldServer server;
    final String adminToken;
    final String firstStartOutput;
    final HttpClient http;
    final URI base;

    /** An admin token for tests that restart a server on the same directory. */
    static final String FIXED_ADMIN = "test-admin-token-0123456789abcdef0123456789";

    private Harness(Path dir, HeraldServer server, String firstStartOutput, HttpClient http, String adminTokenEnv) {
        this.dir = dir;
        this.server = server;
        this.firstStartOutput = firstStartOutput;
        this.adminToken = adminTokenEnv != null ? adminTokenEnv
                : firstStartOutput.lines().filter(l -> l.startsWith("hrld_")).findFirst().orElse(null);
        this.http = http;
        this.base = URI.create("http://localhost:" + server.port() + "/");
    }

    static Harness start(Path dir) {
        return start(dir, Map.of());
    }

    static Harness start(Path dir, Map<String, String> settings) {
        return start(dir, settings, null);
    }

    static Harness start(Path dir, Map<String, String> settings, String adminTokenEnv) {
        return start(dir, settings, adminTokenEnv, UnaryOperator.identity());
    }

    /** A server whose configuration is adjusted last, for what is not a setting (environment-only keys). */
    static Harness start(Path dir, Map<String, String> settings, String adminTokenEnv,
                         UnaryOperator<ServerConfig> adjust) {
        Map<String, String> all = new HashMap<>();
        all.put(ServerConfig.PORT.name(), "0");
        all.put(ServerConfig.HOST.name(), "127.0.0.1");
        all.put(ServerConfig.DATA.name(), dir.toString());
        all.put(ServerConfig.RATE_LIMIT.name(), "0");
        all.put(ServerConfig.SHUTDOWN_TIMEOUT.name(), "5s");
        all.putAll(settings);
        ServerConfig config = ServerConfig.fromMap(all);
        if (adminTokenEnv != null) {
            config = config.withInitialAdminToken(adminTokenEnv);
        }
        config = adjust.apply(config);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HeraldServer server = HeraldServer.builder(config)
                .firstStartOutput(new PrintStream(out, true, StandardCharsets.UTF_8)).start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        return new Harness(dir, server, out.toString(StandardCharsets.UTF_8), http, adminTokenEnv);
    }

    /** One HTTP exchange's outcome. */
    record Response(int status, String body, HttpResponse<String> raw) {

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }

        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    Response send(String method, String path, String token, String contentType, byte[] body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body(), response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Response get(String path, String token, String... headers) {
        return send("GET", path, token, null, null, headers);
    }

    Response postJson(String path, String token, Object body) {
        try {
            return send("POST", path, token, "application/json", JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Response structured(String token, CloudEvent event) {
        return send("POST", "/v1/events", token, JsonEvents.STRUCTURED, JsonEvents.write(event));
    }

    Response batch(String token, List<CloudEvent> events) {
        return send("POST", "/v1/events", token, JsonEvents.BATCH, JsonEvents.writeBatch(events));
    }

    /** Creates a token through the API and returns its secret. */
    String createToken(String name, List<String> scopes, String project) {
        ObjectNode request = JSON.createObjectNode().put("name", name);
        scopes.forEach(request.putArray("scopes")::add);
        if (project != null) {
            request.put("project", project);
        }
        Response response = postJson("/v1/tokens", adminToken, request);
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json().get("token").asText();
    }

    static CloudEvent pipeline(int id, String project) {
        EventBuilder builder = EventBuilder.create().type("ci.pipeline.created")
                .source("https://gitlab.example.com/group/app").subject("pipeline/" + id)
                .data(Map.of("pipeline_id", id));
        if (project != null) {
            builder.project(project);
        }
        return builder.build();
    }

    static CloudEvent push(String project) {
        EventBuilder builder = EventBuilder.create().type("repository.push")
                .source("https://gitlab.example.com/group/app")
                .data(CATALOG.latest("repository.push").orElseThrow().examples().getFirst());
        if (project != null) {
            builder.project(project);
        }
        return builder.build();
    }

    @Override
    public void close() {
        server.close();
    }
}
