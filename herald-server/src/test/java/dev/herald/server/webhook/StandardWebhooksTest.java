package dev.herald.server.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.server.subscriptions.TestEvents;
import io.cloudevents.CloudEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Signing per Standard Webhooks, secrets, and the CloudEvents HTTP binding's header encoding. */
class StandardWebhooksTest {

    @Test
    void reproducesThePublishedStandardWebhooksTestVector() {
        // The vector every Standard Webhooks / Svix library tests against: receivers' libraries accept what we send.
        WebhookSecret secret = WebhookSecret.parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");

        String signature = WebhookSigner.sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8));

        assertThat(signature).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void everySignatureWithASecretStartsAfresh() throws Exception {
        // A secret keys its HMAC once and signs with copies of it: no signature may see another's bytes.
        WebhookSecret secret = WebhookSecret.parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        byte[] body = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
        assertThat(WebhookSigner.sign(secret, "other", 1, "something else".getBytes(StandardCharsets.UTF_8)))
                .isNotEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");

        try (ExecutorService threads = Executors.newFixedThreadPool(8)) {
            List<Future<String>> signatures = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                signatures.add(threads.submit(() -> WebhookSigner.sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek",
                        1614265330, body)));
            }
            for (Future<String> signature : signatures) {
                assertThat(signature.get()).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
            }
        }
    }

    @Test
    void severalSecretsGiveSpaceSeparatedSignaturesNewestFirst() {
        WebhookSecret current = WebhookSecret.generate();
        WebhookSecret previous = WebhookSecret.generate();
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);

        String header = WebhookSigner.signatureHeader(List.of(current, previous), "id", 1, body);

        assertThat(header.split(" ")).containsExactly(WebhookSigner.sign(current, "id", 1, body),
                WebhookSigner.sign(previous, "id", 1, body));
    }

    @Test
    void secretsAreWhsecBase64Of24To64Bytes() {
        WebhookSecret generated = WebhookSecret.generate();
        assertThat(generated.text()).startsWith("whsec_");
        assertThat(WebhookSecret.parse(generated.text())).isEqualTo(generated);
        assertThat(generated.toString()).doesNotContain(generated.text().substring(6));
        assertThatThrownBy(() -> WebhookSecret.parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
                .hasMessageContaining("whsec_");
        assertThatThrownBy(() -> WebhookSecret.parse("whsec_***")).hasMessageContaining("base64");
        assertThatThrownBy(() -> WebhookSecret.parse("whsec_c2hvcnQ=")).hasMessageContaining("24 to 64 bytes");
    }

    @Test
    void binaryModePercentEncodesHeaderValuesAsTheBindingRequires() {
        CloudEvent event = TestEvents.builder(TestEvents.PIPELINE_CREATED).subject("Ünïcode \"quoted\" 100%")
                .build();

        CloudEventHttp.Message message = CloudEventHttp.encode(event, ContentMode.BINARY);

        assertThat(message.headers().get("ce-subject"))
                .isEqualTo("%C3%9Cn%C3%AFcode%20%22quoted%22%20100%25");
        assertThat(message.headers().get("ce-specversion")).isEqualTo("1.0");
        assertThat(message.headers().get("content-type")).isEqualTo("application/json");
    }
}
