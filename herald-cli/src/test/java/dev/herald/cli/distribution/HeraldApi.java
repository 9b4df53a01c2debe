package dev.herald.cli.distribution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.event.JsonEvents;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * Herald's HTTP API as the distribution tests call it: events posted one by one or as a batch,
 * webhook subscriptions, tokens. Every call goes to the instance given, so that a test can spread
 * its calls over a cluster; answers are returned as they come, errors included.
 */
public final class HeraldApi {

    /** The event type the tests publish: declared by the schemas the distribution ships. */
    public static final String TYPE = "ci.pipeline.created";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String token;

    /** A client authenticating with this bearer token. */
    public HeraldApi(String token) {
        this.token = token;
    }

    /** An answer: status and body. */
    public record Answer(int status, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON (" + status + "): " + body, e);
            }
        }
    }

    /** A new event of {@link #TYPE} with this id and source, as structured-mode JSON. */
    public static ObjectNode event(String source, String id) {
        ObjectNode event = JSON.createObjectNode().put("specversion", "1.0").put("id", id).put("source", source)
                .put("type", TYPE).put("time", java.time.Instant.now().toString()).put("project", "gid://gitlab/Project/1")
                .put("datacontenttype", "application/json");
        event.putObject("data").put("pipeline_id", Math.abs(id.hashCode()));
        return event;
    }

    /** A new event with a fresh id. */
    public static ObjectNode event() {
        return event("https://gitlab.example.com/acme/shop", UUID.randomUUID().toString());
    }

    /** {@code POST /v1/events}, one event in structured mode. */
    public Answer publish(HeraldProcess to, ObjectNode event) {
        return send(to, "POST", "/v1/events", JsonEvents.STRUCTURED, event.toString());
    }

    /** {@code POST /v1/events}, a batch. */
    public Answer publishBatch(HeraldProcess to, List<ObjectNode> events) {
        ArrayNode batch = JSON.createArrayNode();
        events.forEach(batch::add);
        return send(to, "POST", "/v1/events", JsonEvents.BATCH, batch.toString());
    }

    /**
     * Creates a webhook subscription to every event from the earliest, delivering to the sink and
     * trusted by it; returns its secret.
     */
    public String subscribeWebhook(HeraldProcess on, String id, WebhookSink sink) {
        return subscribeWebhook(on, id, sink, "earliest");
    }

    /** The same, starting at {@code startAt} ({@code latest} on a transport that cannot replay). */
    public String subscribeWebhook(HeraldProcess on, String id, WebhookSink sink, String startAt) {
        ObjectNode body = JSON.createObjectNode().put("id", id).put("sink", sink.url(id));
        body.putObject("delivery").put("startAt", startAt).put("maxAttempts", 100)
                .putObject("backoff").put("min", "100ms").put("max", "2s");
        Answer answer = send(on, "POST", "/v1/subscriptions", "application/json", body.toString());
        if (answer.status() != 201) {
            throw new AssertionError("creating subscription " + id + " answered " + answer);
        }
        String secret = answer.json().path("secret").asText();
        sink.trust(id, secret);
        return secret;
    }

    /** Creates a token with these scopes; returns its secret and id. */
    public Answer createToken(HeraldProcess on, String name, List<String> scopes) {
        ObjectNode body = JSON.createObjectNode().put("name", name);
        ArrayNode array = body.putArray("scopes");
        scopes.forEach(array::add);
        return send(on, "POST", "/v1/tokens", "application/json", body.toString());
    }

    /** {@code DELETE /v1/tokens/{id}}. */
    public Answer revokeToken(HeraldProcess on, String id) {
        return send(on, "DELETE", "/v1/tokens/" + id, null, null);
    }

    /** {@code GET path} with this client's token. */
    public Answer get(HeraldProcess on, String path) {
        return send(on, "GET", path, null, null);
    }

    /** Any request with this client's token; a connection failure answers status 0 with the reason. */
    public Answer send(HeraldProcess to, String method, String path, String contentType, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + to.port() + path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            return new Answer(0, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(0, "interrupted");
        }
    }
}
