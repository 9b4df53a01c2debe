package dev.herald.cli.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key rotation of docs/security.md, run with the distribution: secrets sealed under one
 * {@code HERALD_SECRET_KEY}, a start with a new key alone refused, a start with the old key as
 * {@code HERALD_SECRET_KEY_PREVIOUS} re-sealing everything, and the new key alone working afterwards.
 */
class SecretKeyRotationIT {

    private static final String ADMIN = "hrld-secret-rotation-it-admin-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path data;

    @Test
    void theSecretKeyRotatesWithoutLosingAWebhookSecret() throws Exception {
        String oldKey = key();
        String newKey = key();
        HeraldApi api = new HeraldApi(ADMIN);
        try (WebhookSink sink = new WebhookSink()) {
            try (HeraldProcess herald = serve().environment("HERALD_SECRET_KEY", oldKey).start()) {
                ObjectNode body = JSON.createObjectNode().put("id", "rotating").put("sink", sink.url("rotating"));
                body.putObject("protocolsettings").putObject("headers").put("Authorization", "Bearer sink-credential");
                HeraldApi.Answer created = api.send(herald, "POST", "/v1/subscriptions", "application/json",
                        body.toString());
                assertThat(created.status()).as(created.body()).isEqualTo(201);
                sink.trust("rotating", created.json().path("secret").asText());
                deliversOne(api, herald, sink);
            }
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("server.db"))))
                    .isEqualTo("rw-------");
            assertThat(data.resolve("secret.key")).as("no key file when HERALD_SECRET_KEY is set").doesNotExist();
            assertThat(Files.readString(data.resolve("server.db"), StandardCharsets.ISO_8859_1))
                    .doesNotContain("sink-credential");

            HeraldProcess.Builder newKeyOnly = serve().environment("HERALD_SECRET_KEY", newKey);
            assertThatThrownBy(newKeyOnly::start).hasMessageContaining("HERALD_SECRET_KEY_PREVIOUS");

            try (HeraldProcess herald = serve().environment("HERALD_SECRET_KEY", newKey)
                    .environment("HERALD_SECRET_KEY_PREVIOUS", oldKey).start()) {
                deliversOne(api, herald, sink);
            }
            try (HeraldProcess herald = serve().environment("HERALD_SECRET_KEY", newKey).start()) {
                deliversOne(api, herald, sink);
            }
            assertThat(sink.badSignatures()).as("the signing secret survived the rotation").isZero();
        }
    }

    @Test
    void aMalformedKeyIsABadConfiguration() {
        assertThatThrownBy(() -> serve().environment("HERALD_SECRET_KEY", "not-a-key").start())
                .hasMessageContaining("exited with 2")
                .hasMessageContaining("HERALD_SECRET_KEY must be the base64 of 32 random bytes");
    }

    private HeraldProcess.Builder serve() {
        return HeraldProcess.serve(data).set("webhooks.ssrf-guard", "false").adminToken(ADMIN);
    }

    private static void deliversOne(HeraldApi api, HeraldProcess herald, WebhookSink sink) {
        ObjectNode event = HeraldApi.event();
        assertThat(api.publish(herald, event).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(sink.delivered("rotating"))
                .as(herald::tail).contains(event.get("id").asText()));
    }

    private static String key() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
