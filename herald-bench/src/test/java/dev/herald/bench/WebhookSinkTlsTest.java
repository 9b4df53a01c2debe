package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink's HTTPS ports with its throw-away certificate: the HTTP/2 port answers HTTP/2 to a client that
 * offers it, the HTTP/1.1 port HTTP/1.1 to the same client, and the sink counts each protocol and still
 * checks signatures there.
 */
class WebhookSinkTlsTest {

    @TempDir
    Path dir;

    @Test
    void eachHttpsPortSpeaksItsProtocolAndTheSinkCountsIt() throws Exception {
        SinkCertificate certificate = SinkCertificate.create(dir);
        String secret = HeraldAdmin.newWebhookSecret();
        try (WebhookSink sink = WebhookSink.startWithTls(certificate.keyStore(), SinkCertificate.PASSWORD);
             HttpClient client = trusting(certificate)) {
            sink.verifyWith(secret);

            assertThat(post(client, sink.uri(WebhookSink.Protocol.H2_TLS), secret, "evt-1").version())
                    .isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(post(client, sink.uri(WebhookSink.Protocol.H1_TLS), secret, "evt-2").version())
                    .isEqualTo(HttpClient.Version.HTTP_1_1);
            assertThat(sink.uri(WebhookSink.Protocol.H2_TLS).getScheme()).isEqualTo("https");

            assertThat(sink.requestsByProtocol()).isEqualTo(Map.of("HTTP/2.0", 1L, "HTTP/1.1", 1L));
            assertThat(sink.distinct()).isEqualTo(2);
            assertThat(sink.badSignatures()).isZero();
        }
    }

    private static HttpResponse<Void> post(HttpClient client, URI uri, String secret, String id) throws Exception {
        byte[] body = "{\"n\":1}".getBytes(StandardCharsets.UTF_8);
        long now = System.currentTimeMillis() / 1000;
        HttpResponse<Void> response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .header("webhook-id", id).header("webhook-timestamp", Long.toString(now))
                .header("webhook-signature", WebhookSink.sign(secret, id, now, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(response.statusCode()).isEqualTo(204);
        return response;
    }

    /** A client offering HTTP/2, trusting the sink's certificate alone. */
    private static HttpClient trusting(SinkCertificate certificate) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("sink", certificate.keyStore().getCertificate("sink"));
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, factory.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_2)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }
}
