package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.event.JsonEvents;
import dev.herald.server.subscriptions.Sink;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end over HTTP: the bytes a producer published are, byte for byte, the body a structured-mode
 * webhook receives, and the signature covers exactly them. Nothing between intake and the sink
 * serialises the event again.
 */
class WebhookPublishedBytesTest {

    @TempDir
    Path dir;

    @Test
    void aStructuredWebhookGetsTheProducersOwnBytesSigned() throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String secret = "whsec_" + Base64.getEncoder().encodeToString(key);
        try (Sink sink = new Sink();
             Harness h = Harness.start(dir, Map.of("webhooks.ssrf-allow", "127.0.0.1"))) {
            Harness.Response created = h.postJson("/v1/subscriptions", h.adminToken, Map.of("sink", sink.url(),
                    "secret", secret, "types", List.of("ci.pipeline.created"),
                    "protocolsettings", Map.of("contentmode", "structured")));
            assertThat(created.status()).as("%s", created).isEqualTo(201);
            // Valid, but not as Herald would write it: a serialisation anywhere on the way would show.
            byte[] published = new String(JsonEvents.write(Harness.pipeline(7, null)), StandardCharsets.UTF_8)
                    .replace(",", ",\n  ").getBytes(StandardCharsets.UTF_8);

            Harness.Response accepted = h.send("POST", "/v1/events", h.adminToken, JsonEvents.STRUCTURED, published);
            assertThat(accepted.status()).as("%s", accepted).isEqualTo(202);
            Sink.Received request = sink.next();

            assertThat(request.bodyText()).isEqualTo(new String(published, StandardCharsets.UTF_8));
            assertThat(request.body()).isEqualTo(published);
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((request.header("webhook-id") + "." + request.header("webhook-timestamp") + ".")
                    .getBytes(StandardCharsets.UTF_8));
            String expected = "v1," + Base64.getEncoder().encodeToString(mac.doFinal(published));
            assertThat(Arrays.asList(request.header("webhook-signature").split(" "))).contains(expected);
        }
    }
}
