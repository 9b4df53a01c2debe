package dev.herald.server.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.event.JsonEvents;
import dev.herald.server.subscriptions.TestEvents;
import io.cloudevents.CloudEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sender's connections to real sinks in this process: HTTP/2 where an HTTPS sink offers it through
 * ALPN, HTTP/1.1 where it does not and over cleartext, kept alive either way, signatures over exactly the
 * bytes sent, and the SSRF guard and certificate checks on HTTPS connections as on any other.
 */
class WebhookProtocolsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SsrfGuard LOOPBACK_ALLOWED = SsrfGuard.withAllowList(List.of("127.0.0.0/8"));

    @TempDir
    static Path dir;
    static TlsSink.Certificates certificates;

    private final WebhookSecret secret = WebhookSecret.generate();
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void makeCertificate() throws Exception {
        certificates = TlsSink.Certificates.create(dir);
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : open.reversed()) {
            closeable.close();
        }
    }

    private TlsSink sink(TlsSink.Offer offer) throws Exception {
        TlsSink sink = new TlsSink(offer, certificates);
        open.add(sink);
        return sink;
    }

    private WebhookSender sender(SsrfGuard guard, boolean trustTheSink) {
        WebhookSender sender = new WebhookSender(guard, Duration.ofSeconds(5), Duration.ofSeconds(5), Clock.systemUTC(),
                8, trustTheSink ? certificates.trustStore() : null);
        open.add(sender);
        return sender;
    }

    private WebhookSender.Target target(TlsSink sink, ContentMode mode) {
        return new WebhookSender.Target(sink.url(RebindingResolverProvider.LOOPBACK), "POST", Map.of(), mode,
                List.of(secret));
    }

    /** The test's own Standard Webhooks check: HMAC-SHA256 with javax.crypto, not Herald's signer. */
    private boolean signed(TlsSink.Received request) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.text().substring("whsec_".length())),
                "HmacSHA256"));
        mac.update((request.header("webhook-id") + "." + request.header("webhook-timestamp") + ".")
                .getBytes(StandardCharsets.UTF_8));
        String expected = "v1," + Base64.getEncoder().encodeToString(mac.doFinal(request.body()));
        return Arrays.asList(request.header("webhook-signature").split(" ")).contains(expected);
    }

    /**
     * The event's structured form as another writer might have stored it: members in reverse order,
     * indented. Equal as an event, different as bytes from what Herald would write.
     */
    static byte[] storedElsewhere(CloudEvent event) throws Exception {
        ObjectNode written = (ObjectNode) JSON.readTree(JsonEvents.write(event));
        ObjectNode reversed = JSON.createObjectNode();
        List<String> names = new ArrayList<>();
        written.fieldNames().forEachRemaining(names::add);
        names.reversed().forEach(name -> reversed.set(name, written.get(name)));
        byte[] bytes = JSON.writer(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(reversed);
        assertThat(bytes).isNotEqualTo(JsonEvents.write(event));
        return bytes;
    }

    @Test
    void anHttpsSinkOfferingHttp2GetsEveryEventOverOneHttp2ConnectionWithTheStoredBytesSigned() throws Exception {
        TlsSink sink = sink(TlsSink.Offer.TLS_H2_AND_H1);
        WebhookSender sender = sender(LOOPBACK_ALLOWED, true);

        List<String> connections = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            CloudEvent event = TestEvents.of(TestEvents.PIPELINE_CREATED);
            byte[] stored = storedElsewhere(event);
            WebhookSender.Attempt attempt = sender.send(event, () -> stored, target(sink, ContentMode.STRUCTURED));

            assertThat(attempt.outcome()).as("%s", attempt).isEqualTo(WebhookSender.Outcome.DELIVERED);
            TlsSink.Received request = sink.next();
            assertThat(request.protocol()).isEqualTo("HTTP/2.0");
            assertThat(request.body()).as("the stored bytes, not a new serialisation").isEqualTo(stored);
            assertThat(request.header("content-type")).startsWith(JsonEvents.STRUCTURED);
            assertThat(request.header("webhook-id")).isEqualTo(event.getId());
            assertThat(signed(request)).as("the signature covers the bytes sent").isTrue();
            connections.add(request.connection());
        }
        assertThat(connections).as("one connection, kept alive").containsOnly(connections.getFirst());
    }

    @Test
    void anHttpsSinkOfferingOnlyHttp11GetsHttp11OnAKeptAliveConnection() throws Exception {
        TlsSink sink = sink(TlsSink.Offer.TLS_H1_ONLY);
        WebhookSender sender = sender(LOOPBACK_ALLOWED, true);

        List<String> connections = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            CloudEvent event = TestEvents.of(TestEvents.PIPELINE_CREATED);
            WebhookSender.Attempt attempt = sender.send(event, () -> {
                throw new AssertionError("binary mode needs no structured form");
            }, target(sink, ContentMode.BINARY));

            assertThat(attempt.outcome()).as("%s", attempt).isEqualTo(WebhookSender.Outcome.DELIVERED);
            TlsSink.Received request = sink.next();
            assertThat(request.protocol()).isEqualTo("HTTP/1.1");
            assertThat(request.header("ce-id")).isEqualTo(event.getId());
            assertThat(JSON.readTree(request.body())).isEqualTo(JSON.readTree(event.getData().toBytes()));
            assertThat(signed(request)).isTrue();
            connections.add(request.connection());
        }
        assertThat(connections).as("one connection, kept alive").containsOnly(connections.getFirst());
    }

    @Test
    void aCleartextSinkGetsHttp11EvenWhenItWouldAlsoTakeH2c() throws Exception {
        TlsSink sink = sink(TlsSink.Offer.CLEARTEXT_H1_AND_H2C);
        WebhookSender sender = sender(LOOPBACK_ALLOWED, false);

        WebhookSender.Attempt attempt = sender.send(TestEvents.of(TestEvents.PIPELINE_CREATED),
                () -> new byte[0], target(sink, ContentMode.BINARY));

        assertThat(attempt.outcome()).as("%s", attempt).isEqualTo(WebhookSender.Outcome.DELIVERED);
        TlsSink.Received request = sink.next();
        assertThat(request.protocol()).isEqualTo("HTTP/1.1");
        assertThat(signed(request)).isTrue();
    }

    @Test
    void theSsrfGuardChecksTheAddressOfAnHttpsSinkOfferingHttp2() throws Exception {
        TlsSink sink = sink(TlsSink.Offer.TLS_H2_AND_H1);
        WebhookSender sender = sender(SsrfGuard.withAllowList(List.of()), true);
        CloudEvent event = TestEvents.of(TestEvents.PIPELINE_CREATED);

        WebhookSender.Attempt attempt = sender.send(event, () -> JsonEvents.write(event),
                target(sink, ContentMode.STRUCTURED));

        assertThat(attempt.outcome()).as("%s", attempt).isEqualTo(WebhookSender.Outcome.REFUSED);
        assertThat(attempt.detail()).contains(RebindingResolverProvider.LOOPBACK + " resolves to 127.0.0.1");
        sink.expectNothing(Duration.ofMillis(200));
    }

    @Test
    void aSinkWhoseCertificateIsNotTrustedGetsNothing() throws Exception {
        TlsSink sink = sink(TlsSink.Offer.TLS_H2_AND_H1);
        WebhookSender sender = sender(LOOPBACK_ALLOWED, false);
        CloudEvent event = TestEvents.of(TestEvents.PIPELINE_CREATED);

        WebhookSender.Attempt attempt = sender.send(event, () -> JsonEvents.write(event),
                target(sink, ContentMode.STRUCTURED));

        assertThat(attempt.outcome()).as("%s", attempt).isEqualTo(WebhookSender.Outcome.FAILED);
        assertThat(attempt.detail()).contains("SSLHandshakeException");
        sink.expectNothing(Duration.ofMillis(200));
    }
}
