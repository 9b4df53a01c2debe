package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The load generator against the no-op sink, both for real over loopback. */
class HttpLoadTest {

    private static final String SECRET = "whsec_" + java.util.Base64.getEncoder()
            .encodeToString("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));

    private final FatEventBodies bodies = FatEventBodies.create();

    @Test
    void sendsEveryRequestOnceAndTheSinkVerifiesTheirSignatures() throws Exception {
        try (WebhookSink sink = WebhookSink.start()) {
            sink.verifyWith(SECRET);
            HttpLoad.Result result = HttpLoad.to(List.of(sink.uri())).connections(4).requests(300).expect(204)
                    .run(n -> signed(n, SECRET));

            assertThat(result.clean()).as(result.problems()).isTrue();
            assertThat(result.expected()).isEqualTo(300);
            assertThat(result.statuses()).containsExactly(java.util.Map.entry(204, 300L));
            assertThat(result.latencies()).hasSize(300);
            assertThat(result.perSecond()).isPositive();
            assertThat(result.cpuShare()).isBetween(0.0, 1.0);
            assertThat(sink.requests()).isEqualTo(300);
            assertThat(sink.distinct()).isEqualTo(300);
            assertThat(sink.badSignatures()).isZero();
            assertThat(sink.awaitDistinct(300, Duration.ofSeconds(1))).isTrue();
            assertThat(sink.lastNewIdNanos()).isPositive();
        }
    }

    @Test
    void theSinkCountsWrongSignaturesAndRepeatedIds() throws Exception {
        String other = "whsec_" + java.util.Base64.getEncoder()
                .encodeToString("fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII));
        try (WebhookSink sink = WebhookSink.start()) {
            sink.verifyWith(SECRET);
            HttpLoad.Result result = HttpLoad.to(List.of(sink.uri())).connections(2).requests(10).expect(204)
                    .run(n -> n < 4 ? signed(n % 2, other) : signed(n, SECRET));

            assertThat(result.expected()).isEqualTo(10);
            assertThat(sink.badSignatures()).isEqualTo(4);
            assertThat(sink.requests()).isEqualTo(10);
            assertThat(sink.distinct()).isEqualTo(8);
            assertThat(sink.awaitDistinct(9, Duration.ofMillis(100))).isFalse();
        }
    }

    @Test
    void spreadsConnectionsOverSeveralServers() throws Exception {
        try (WebhookSink a = WebhookSink.start(); WebhookSink b = WebhookSink.start()) {
            HttpLoad.Result result = HttpLoad.to(List.of(a.uri(), b.uri())).connections(2).requests(100).expect(204)
                    .run(n -> signed(n, SECRET));

            assertThat(result.expected()).isEqualTo(100);
            assertThat(a.requests()).isPositive();
            assertThat(b.requests()).isPositive();
            assertThat(a.requests() + b.requests()).isEqualTo(100);
        }
    }

    @Test
    void countsUnexpectedAnswersAndFailuresApart() throws Exception {
        try (WebhookSink sink = WebhookSink.start()) {
            HttpLoad.Result wrong = HttpLoad.to(List.of(sink.uri())).connections(1).requests(3).expect(202)
                    .run(n -> signed(n, SECRET));
            assertThat(wrong.unexpected()).isEqualTo(3);
            assertThat(wrong.problems()).contains("HTTP 204");
        }
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        HttpLoad.Result refused = HttpLoad.to(List.of(URI.create("http://127.0.0.1:" + closed + "/")))
                .connections(2).requests(4).timeout(Duration.ofSeconds(2)).run(n -> LoadRequest.get("/healthz"));
        assertThat(refused.failed()).isEqualTo(4);
        assertThat(refused.expected()).isZero();
        assertThat(refused.problems()).contains("GET /healthz");
    }

    @Test
    void readsChunkedAndClosingResponses() throws IOException {
        HttpLoad.Response response = new HttpLoad.Response();
        response.read(stream("HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;x=y\r\nhello\r\n6\r\n world\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n"), true);
        assertThat(response.status).isEqualTo(400);
        assertThat(response.keepAlive).isTrue();
        assertThat(response.excerpt()).isEqualTo("hello world");

        response.read(stream("HTTP/1.1 503 Unavailable\r\nConnection: close\r\n\r\nbusy"), false);
        assertThat(response.status).isEqualTo(503);
        assertThat(response.keepAlive).isFalse();
        assertThat(response.excerpt()).isEmpty();

        response.read(stream("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"), true);
        assertThat(response.keepAlive).as("HTTP/1.0 without keep-alive").isFalse();
    }

    private static ByteArrayInputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    private LoadRequest signed(long n, String secret) {
        byte[] body = bodies.structured(n);
        String id = bodies.id(n);
        long now = System.currentTimeMillis() / 1000;
        return LoadRequest.post(WebhookSink.PATH, FatEventBodies.STRUCTURED, body)
                .withHeader("webhook-id", id)
                .withHeader("webhook-timestamp", Long.toString(now))
                .withHeader("webhook-signature", WebhookSink.sign(secret, id, now, body));
    }
}
