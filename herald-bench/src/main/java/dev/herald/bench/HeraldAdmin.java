package dev.herald.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;

/**
 * The few admin calls the server benchmarks make on a {@code herald serve}: create and delete webhook
 * subscriptions, with a Standard Webhooks secret of their own.
 */
final class HeraldAdmin {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String token;
    private final HttpClient http = HttpClient.newHttpClient();

    /**
     * @param base  the server's base URL
     * @param token an admin token
     */
    HeraldAdmin(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    /** A new random webhook signing secret ({@code whsec_} and 32 bytes of base64). */
    static String newWebhookSecret() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }

    /**
     * Subscribes {@code sink} to the fat events ({@link FatEventBodies#TYPE}) from the earliest one, signed
     * with {@code secret}.
     *
     * @param mode the content mode: binary or structured
     */
    void subscribeWebhook(String id, URI sink, String secret, int concurrency, String mode)
            throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.put("id", id);
        body.putArray("types").add(FatEventBodies.TYPE);
        body.put("sink", sink.toString());
        body.put("secret", secret);
        body.putObject("protocolsettings").put("contentmode", mode);
        body.putObject("delivery").put("concurrency", concurrency).put("startAt", "earliest").put("maxAttempts", 10);
        request("POST", "/v1/subscriptions", json(body), 201);
    }

    /** Deletes a subscription. */
    void deleteSubscription(String id) throws IOException, InterruptedException {
        request("DELETE", "/v1/subscriptions/" + id, null, 204);
    }

    private void request(String method, String path, String body, int expected)
            throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path))
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(30));
        if (body == null) {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            builder.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
                    + response.body());
        }
    }

    private static String json(ObjectNode body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
