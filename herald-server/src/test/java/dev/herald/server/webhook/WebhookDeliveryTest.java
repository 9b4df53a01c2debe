package dev.herald.server.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.subscriptions.Api;
import dev.herald.server.subscriptions.Sink;
import dev.herald.server.subscriptions.TestEvents;
import dev.herald.server.subscriptions.TestServer;
import dev.herald.store.TopicRouter;
import dev.herald.transport.EncodedEvent;
import io.cloudevents.CloudEvent;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Webhook delivery over real HTTP to a real sink: encoding, signatures, headers, failures, disabling. */
class WebhookDeliveryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROJECT = "gid://gitlab/Project/392359";

    @TempDir
    Path dir;

    private Sink sink;
    private TestServer server;
    private Api api;

    @BeforeEach
    void start() {
        sink = new Sink();
        server = new TestServer(dir, TestServer.settings().build());
        api = server.admin();
    }

    @AfterEach
    void stop() {
        server.close();
        sink.close();
    }

    private JsonNode create(Map<String, Object> body) {
        Api.Response created = api.post("/v1/subscriptions", body);
        assertThat(created.status()).as("create: %s", created).isEqualTo(201);
        return created.body();
    }

    private JsonNode webhook(Object... extra) {
        java.util.LinkedHashMap<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("types", List.of(TestEvents.PIPELINE_CREATED));
        body.put("sink", sink.url());
        for (int i = 0; i < extra.length; i += 2) {
            body.put((String) extra[i], extra[i + 1]);
        }
        return create(body);
    }

    /** The test's own Standard Webhooks check: HMAC-SHA256 with javax.crypto, not Herald's signer. */
    private static boolean signedWith(String secret, Sink.Received request) throws Exception {
        byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        String prefix = request.header("webhook-id") + "." + request.header("webhook-timestamp") + ".";
        mac.update(prefix.getBytes(StandardCharsets.UTF_8));
        String expected = "v1," + Base64.getEncoder().encodeToString(mac.doFinal(request.body()));
        return Arrays.asList(request.header("webhook-signature").split(" ")).contains(expected);
    }

    private static String randomSecret() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }

    @Test
    void deliversTheEventInBinaryModeSignedPerStandardWebhooks() throws Exception {
        JsonNode subscription = webhook();
        String secret = subscription.path("secret").asText();
        assertThat(secret).startsWith("whsec_");

        CloudEvent event = server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED, PROJECT));
        Sink.Received request = sink.next();

        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.header("ce-specversion")).isEqualTo("1.0");
        assertThat(request.header("ce-id")).isEqualTo(event.getId());
        assertThat(request.header("ce-type")).isEqualTo(TestEvents.PIPELINE_CREATED);
        assertThat(request.header("ce-source")).isEqualTo("https://gitlab.example.com/group/app");
        assertThat(request.header("ce-subject")).isEqualTo("gid://gitlab/Thing/1");
        assertThat(request.header("ce-project")).isEqualTo("gid%3A//gitlab/Project/392359".replace("%3A", ":"));
        assertThat(request.header("ce-time")).isNotBlank();
        assertThat(request.header("ce-dataschema")).isEqualTo(event.getDataSchema().toString());
        assertThat(request.header("content-type")).startsWith("application/json");
        assertThat(JSON.readTree(request.body())).isEqualTo(JSON.readTree(event.getData().toBytes()));

        assertThat(request.header("webhook-id")).isEqualTo(event.getId());
        long timestamp = Long.parseLong(request.header("webhook-timestamp"));
        assertThat(Math.abs(Instant.now().getEpochSecond() - timestamp)).isLessThan(60);
        assertThat(request.header("webhook-signature")).startsWith("v1,").doesNotContain(" ");
        assertThat(signedWith(secret, request)).as("signature verifies with the secret").isTrue();
        assertThat(signedWith(randomSecret(), request)).as("and not with another secret").isFalse();

        JsonNode shown = api.get("/v1/subscriptions/" + subscription.path("id").asText()).body();
        assertThat(shown.has("secret")).as("the secret is shown only at creation").isFalse();
        await().untilAsserted(() -> assertThat(api.get("/v1/subscriptions/" + subscription.path("id").asText())
                .body().path("health").path("lastSuccessAt").asText()).isNotBlank());
    }

    @Test
    void structuredModeCarriesTheWholeEventAndAGivenSecretSigns() throws Exception {
        String secret = randomSecret();
        webhook("secret", secret, "protocolsettings", Map.of("contentmode", "structured", "method", "PUT"));

        CloudEvent event = server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED));
        Sink.Received request = sink.next();

        assertThat(request.method()).isEqualTo("PUT");
        assertThat(request.header("content-type")).startsWith("application/cloudevents+json");
        assertThat(request.header("ce-id")).isNull();
        JsonNode body = JSON.readTree(request.body());
        assertThat(body.path("id").asText()).isEqualTo(event.getId());
        assertThat(body.path("type").asText()).isEqualTo(TestEvents.PIPELINE_CREATED);
        assertThat(body.path("specversion").asText()).isEqualTo("1.0");
        assertThat(body.path("data")).isEqualTo(JSON.readTree(event.getData().toBytes()));
        assertThat(signedWith(secret, request)).isTrue();
    }

    @Test
    void structuredModeSendsTheStoredBytesAsTheyAreAndSignsThem() throws Exception {
        String secret = randomSecret();
        webhook("secret", secret, "protocolsettings", Map.of("contentmode", "structured"));
        CloudEvent event = TestEvents.of(TestEvents.PIPELINE_CREATED);
        byte[] stored = WebhookProtocolsTest.storedElsewhere(event);

        server.store().transport().publish(TopicRouter.DEFAULT_TOPIC, List.of(EncodedEvent.of(event, stored)));
        Sink.Received request = sink.next();

        assertThat(request.body()).as("the transport's stored bytes, byte for byte").isEqualTo(stored);
        assertThat(signedWith(secret, request)).isTrue();
    }

    @Test
    void customHeadersArriveAndCredentialLikeValuesAreNeverShown() {
        JsonNode subscription = webhook("protocolsettings", Map.of("headers", Map.of(
                "X-Gitlab-Event-Streaming-Token", "streaming-s3cr3t", "X-Team", "security")));
        String id = subscription.path("id").asText();
        assertThat(subscription.path("protocolsettings").path("headers").path("X-Gitlab-Event-Streaming-Token")
                .asText()).isEqualTo("<redacted>");
        assertThat(subscription.path("protocolsettings").path("headers").path("X-Team").asText())
                .isEqualTo("security");

        server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED));
        Sink.Received first = sink.next();
        assertThat(first.header("X-Gitlab-Event-Streaming-Token")).isEqualTo("streaming-s3cr3t");
        assertThat(first.header("X-Team")).isEqualTo("security");

        // A merge patch touching another header keeps the redacted one's stored value.
        Api.Response patched = api.patch("/v1/subscriptions/" + id, Map.of("protocolsettings",
                Map.of("headers", Map.of("X-Team", "appsec"))));
        assertThat(patched.status()).as("%s", patched).isEqualTo(200);
        // And a GET body PUT back unchanged keeps it as well.
        JsonNode current = api.get("/v1/subscriptions/" + id).body();
        assertThat(api.put("/v1/subscriptions/" + id, current).status()).isEqualTo(200);

        server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED));
        Sink.Received second = sink.next();
        assertThat(second.header("X-Gitlab-Event-Streaming-Token")).isEqualTo("streaming-s3cr3t");
        assertThat(second.header("X-Team")).isEqualTo("appsec");
    }

    @Test
    void rotationSignsWithBothSecretsDuringTheGracePeriod() throws Exception {
        String oldSecret = randomSecret();
        String id = webhook("secret", oldSecret).path("id").asText();

        Api.Response rotated = api.post("/v1/subscriptions/" + id + "/rotate-secret", null);
        assertThat(rotated.status()).isEqualTo(200);
        String newSecret = rotated.text("secret");
        assertThat(newSecret).startsWith("whsec_").isNotEqualTo(oldSecret);
        Instant validUntil = Instant.parse(rotated.body().path("secretRotation").path("previousSecretValidUntil")
                .asText());
        assertThat(Duration.between(Instant.now(), validUntil)).isBetween(Duration.ofHours(23), Duration.ofHours(25));

        server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED));
        Sink.Received request = sink.next();
        assertThat(request.header("webhook-signature").split(" ")).hasSize(2);
        assertThat(signedWith(newSecret, request)).as("new secret").isTrue();
        assertThat(signedWith(oldSecret, request)).as("old secret, in grace").isTrue();
        assertThat(api.get("/v1/subscriptions/" + id).body().has("secret")).isFalse();
    }

    @Test
    void afterTheGracePeriodOnlyTheNewSecretSigns() throws Exception {
        server.restart(TestServer.settings().secretRotationGrace(Duration.ZERO).build());
        api = server.admin();
        String oldSecret = randomSecret();
        String id = webhook("secret", oldSecret).path("id").asText();
        String chosen = randomSecret();

        Api.Response rotated = api.post("/v1/subscriptions/" + id + "/rotate-secret", Map.of("secret", chosen));
        assertThat(rotated.text("secret")).isEqualTo(chosen);

        server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED));
        Sink.Received request = sink.next();
        assertThat(signedWith(chosen, request)).isTrue();
        assertThat(signedWith(oldSecret, request)).isFalse();
    }

    @Test
    void aFailingSinkEndsInDeadLettersAndRedriveDeliversOnceItRecovers() {
        sink.respond(r -> new Sink.Reply(500, Map.of(), Duration.ZERO, "database on fire"));
        String id = webhook("delivery", Map.of("maxAttempts", 3, "backoff", Map.of("min", "10ms", "max", "50ms")))
                .path("id").asText();

        CloudEvent event = server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED));
        for (int attempt = 1; attempt <= 3; attempt++) {
            assertThat(sink.next().header("webhook-id")).as("attempt %d keeps the message id", attempt)
                    .isEqualTo(event.getId());
        }
        await().untilAsserted(() -> assertThat(api.get("/v1/subscriptions/" + id + "/dead-letters").body()
                .path("total").asLong()).isEqualTo(1));
        sink.expectNothing(Duration.ofMillis(300));

        JsonNode letter = api.get("/v1/subscriptions/" + id + "/dead-letters").body().path("items").get(0);
        assertThat(letter.path("eventId").asText()).isEqualTo(event.getId());
        assertThat(letter.path("attempts").asInt()).isEqualTo(3);
        assertThat(letter.path("lastError").asText()).contains("HTTP 500").contains("database on fire");
        JsonNode health = api.get("/v1/subscriptions/" + id).body().path("health");
        assertThat(health.path("consecutiveFailures").asInt()).isEqualTo(3);
        assertThat(health.path("failingSince").asText()).isNotBlank();

        sink.respond(200);
        Api.Response redriven = api.post("/v1/subscriptions/" + id + "/dead-letters/redrive", Map.of("all", true));
        assertThat(redriven.body().path("redriven").asInt()).isEqualTo(1);
        assertThat(sink.next().header("webhook-id")).isEqualTo(event.getId());
        await().untilAsserted(() -> {
            JsonNode shown = api.get("/v1/subscriptions/" + id).body();
            assertThat(shown.path("stats").path("deadLetters").asLong()).isZero();
            assertThat(shown.path("health").path("consecutiveFailures").asInt()).isZero();
            assertThat(shown.path("status").asText()).isEqualTo("active");
        });
    }

    @Test
    void anEventThatCannotBeSentIsRecordedRetriedAndDeadLetteredWithoutBlockingTheNext() {
        String id = webhook("delivery", Map.of("maxAttempts", 3, "backoff", Map.of("min", "10ms", "max", "50ms")))
                .path("id").asText();

        // A valid CloudEvents id, but U+2603 cannot travel in the webhook-id header: the attempt fails before sending.
        CloudEvent poison = server.publish(TestEvents.builder(TestEvents.PIPELINE_CREATED).id("poison-\u2603")
                .build());
        await().untilAsserted(() -> assertThat(api.get("/v1/subscriptions/" + id + "/dead-letters").body()
                .path("total").asLong()).isEqualTo(1));
        JsonNode letter = api.get("/v1/subscriptions/" + id + "/dead-letters").body().path("items").get(0);
        assertThat(letter.path("eventId").asText()).isEqualTo(poison.getId());
        assertThat(letter.path("attempts").asInt()).isEqualTo(3);
        assertThat(letter.path("lastError").asText()).contains("not sent").contains("webhook-id");
        JsonNode health = api.get("/v1/subscriptions/" + id).body().path("health");
        assertThat(health.path("consecutiveFailures").asInt()).isEqualTo(3);
        assertThat(health.path("lastError").asText()).contains("webhook-id");

        CloudEvent next = server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED));
        assertThat(sink.next().header("webhook-id")).as("nothing of the poison event was sent").isEqualTo(next.getId());
    }

    @Test
    void goneDisablesTheSubscriptionAndEnableDeliversWhatWaited() {
        sink.respond(410);
        String id = webhook().path("id").asText();
        CloudEvent first = server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED));
        assertThat(sink.next().header("webhook-id")).isEqualTo(first.getId());

        await().untilAsserted(() -> assertThat(api.get("/v1/subscriptions/" + id).body().path("status").asText())
                .isEqualTo("disabled"));
        JsonNode disabled = api.get("/v1/subscriptions/" + id).body();
        assertThat(disabled.path("statusReason").asText()).contains("410 Gone");
        CloudEvent second = server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED));
        sink.expectNothing(Duration.ofMillis(500));

        assertThat(api.post("/v1/subscriptions/" + id + "/resume", null).status()).isEqualTo(409);
        sink.respond(200);
        Api.Response enabled = api.post("/v1/subscriptions/" + id + "/enable", null);
        assertThat(enabled.status()).isEqualTo(200);
        assertThat(enabled.text("status")).isEqualTo("active");
        assertThat(List.of(sink.next().header("webhook-id"), sink.next().header("webhook-id")))
                .containsExactlyInAnyOrder(first.getId(), second.getId());
    }

    @Test
    void redirectsAreNotFollowed() {
        sink.respond(r -> r.path().equals("/hook")
                ? new Sink.Reply(302, Map.of("Location", sink.url("/elsewhere").toString()), Duration.ZERO, "")
                : Sink.Reply.status(200));
        String id = webhook("delivery", Map.of("maxAttempts", 1)).path("id").asText();

        server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED));
        assertThat(sink.next().path()).isEqualTo("/hook");
        sink.expectNothing(Duration.ofMillis(500));
        await().untilAsserted(() -> assertThat(api.get("/v1/subscriptions/" + id + "/dead-letters").body()
                .path("items").path(0).path("lastError").asText()).contains("HTTP 302").contains("not followed"));
    }

    @Test
    void aSinkSlowerThanTheReadTimeoutFailsTheAttempt() {
        server.restart(TestServer.settings().webhookTimeouts(Duration.ofSeconds(1), Duration.ofMillis(300)).build());
        api = server.admin();
        sink.respond(r -> new Sink.Reply(200, Map.of(), Duration.ofSeconds(2), ""));
        String id = webhook("delivery", Map.of("maxAttempts", 1)).path("id").asText();

        long start = System.nanoTime();
        server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED));
        await().untilAsserted(() -> assertThat(api.get("/v1/subscriptions/" + id + "/dead-letters").body()
                .path("items").path(0).path("lastError").asText()).contains("no response within 300 ms"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void anUnreachableSinkFailsTheAttempt() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String id = create(Map.of("types", List.of(TestEvents.PIPELINE_CREATED), "sink",
                "http://127.0.0.1:" + closedPort + "/hook", "delivery", Map.of("maxAttempts", 1))).path("id").asText();

        server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED));
        await().untilAsserted(() -> assertThat(api.get("/v1/subscriptions/" + id + "/dead-letters").body()
                .path("items").path(0).path("lastError").asText()).contains("connection refused"));
    }

    @Test
    void consecutiveFailuresAutoDisable() {
        server.restart(TestServer.settings().autoDisable(4, Duration.ofDays(5)).build());
        api = server.admin();
        sink.respond(503);
        String id = webhook("delivery", Map.of("maxAttempts", 10, "backoff", Map.of("min", "5ms", "max", "20ms")))
                .path("id").asText();

        server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED));
        await().untilAsserted(() -> assertThat(api.get("/v1/subscriptions/" + id).body().path("status").asText())
                .isEqualTo("disabled"));
        JsonNode disabled = api.get("/v1/subscriptions/" + id).body();
        assertThat(disabled.path("statusReason").asText()).contains("4 consecutive failed deliveries")
                .contains("HTTP 503");
        assertThat(sink.all().size()).as("attempts before disabling").isBetween(4, 5);
        sink.clear();
        sink.expectNothing(Duration.ofMillis(300));
        assertThat(disabled.path("stats").path("deadLetters").asLong()).as("not dead: waits for enable").isZero();
    }

    @Test
    void aSinkFailingForDaysIsDisabled() {
        MovableClock clock = new MovableClock();
        server.restart(TestServer.settings().clock(clock).autoDisable(1000, Duration.ofDays(5)).build());
        api = server.admin();
        sink.respond(500);
        String id = webhook("delivery", Map.of("maxAttempts", 50, "backoff", Map.of("min", "100ms", "max", "100ms")))
                .path("id").asText();
        server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED));
        sink.next();
        await().untilAsserted(() -> assertThat(api.get("/v1/subscriptions/" + id).body().path("health")
                .path("failingSince").asText()).isNotBlank());

        clock.advance(Duration.ofDays(5).plusMinutes(1));

        await().untilAsserted(() -> assertThat(api.get("/v1/subscriptions/" + id).body().path("status").asText())
                .isEqualTo("disabled"));
        assertThat(api.get("/v1/subscriptions/" + id).text("statusReason")).contains("failing since");
    }

    /** A clock tests move forward. */
    static final class MovableClock extends java.time.Clock {
        private volatile Duration offset = Duration.ZERO;

        void advance(Duration by) {
            offset = offset.plus(by);
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(offset);
        }
    }

    @Test
    void theSsrfGuardChecksAgainAtDeliveryTime() {
        String id = webhook("delivery", Map.of("maxAttempts", 1)).path("id").asText();
        // The operator removes 127.0.0.1 from the allow-list: the stored sink must not be called any more.
        server.restart(TestServer.settings().ssrfAllowList(List.of()).build());
        api = server.admin();

        server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED));
        await().untilAsserted(() -> assertThat(api.get("/v1/subscriptions/" + id + "/dead-letters").body()
                .path("items").path(0).path("lastError").asText()).contains("sink refused").contains("loopback"));
        assertThat(sink.all()).isEmpty();
    }

    @Test
    void subscriptionsSurviveARestartWithTheirStatus() {
        String active = webhook().path("id").asText();
        String paused = webhook().path("id").asText();
        assertThat(api.post("/v1/subscriptions/" + paused + "/pause", null).text("status")).isEqualTo("paused");

        server.restart(TestServer.settings().build());
        api = server.admin();
        CloudEvent event = server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED));

        assertThat(sink.next().header("webhook-id")).isEqualTo(event.getId());
        sink.expectNothing(Duration.ofMillis(500));
        assertThat(api.get("/v1/subscriptions/" + active).text("status")).isEqualTo("active");
        assertThat(api.get("/v1/subscriptions/" + paused).text("status")).isEqualTo("paused");
        assertThat(api.get("/v1/subscriptions/" + paused).body().path("stats").path("backlog").asLong()).isEqualTo(1);

        api.post("/v1/subscriptions/" + paused + "/resume", null);
        assertThat(sink.next().header("webhook-id")).isEqualTo(event.getId());
    }
}
