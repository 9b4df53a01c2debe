package dev.herald.server.webhook;

import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.ContinueProtocolHandler;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.client.transport.HttpClientConnectionFactory;
import org.eclipse.jetty.client.transport.HttpClientTransportDynamic;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.ClientConnectionFactoryOverHTTP2;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Sends events to webhook sinks: encodes the event per the CloudEvents HTTP binding, signs it per
 * Standard Webhooks, and classifies the answer. Redirects are never followed (a 3xx is a failure);
 * connect and response timeouts bound every attempt; an attempt that cannot even be prepared (a value
 * no HTTP header can carry) is a failed attempt like any other. In structured mode the body is the
 * event's stored structured form as is: the bytes signed are the bytes the transport kept, not a new
 * serialisation.
 *
 * <p>One Jetty {@link HttpClient} serves every subscription, keeping connections alive in a pool per
 * origin. Jetty rather than {@code java.net.http} because of DNS rebinding: the SSRF check must
 * apply to the very address a connection is made to, and only Jetty's client lets the application
 * resolve the host itself ({@link GuardedAddressResolver}) while the URL, the {@code Host} header, TLS
 * SNI and certificate verification keep the host name. Each new connection, whatever its protocol,
 * resolves once, the {@link SsrfGuard} checks every address, and exactly those addresses are dialled.
 * A pooled connection stays on the address checked when it was opened. The client keeps no cookies,
 * decodes no content encodings and answers no authentication challenges: sinks get what Herald sends
 * and nothing more.
 *
 * <p>Protocols: an {@code https://} sink is offered HTTP/1.1 and HTTP/2 in the TLS handshake (ALPN) and
 * the sink chooses; servers that speak HTTP/2 choose it as a rule. An HTTP/2 connection carries as many
 * concurrent requests as the sink's {@code SETTINGS_MAX_CONCURRENT_STREAMS} allows (typically 100 to 250),
 * more open further connections; an HTTP/1.1 connection carries one request at a time. Either way an
 * origin gets at most as many connections as the largest subscription concurrency, so that one
 * subscription's requests never wait for a connection. An {@code http://} sink gets HTTP/1.1 only: cleartext
 * HTTP/2 would mean either prior knowledge, which fails against every HTTP/1.1-only sink, or the
 * {@code Upgrade: h2c} dance, which costs a round trip on every new connection, is refused by many
 * proxies, and gains little where the sink chose not to offer TLS.
 *
 * <p>Certificates are checked against the JVM's trust store (its {@code cacerts}, or the one
 * {@code javax.net.ssl.trustStore} names: the way to trust a sink's private CA), or against the one given
 * to the constructor. Host names are verified.
 */
public final class WebhookSender implements AutoCloseable {

    /** What to call and how. */
    public record Target(URI sink, String method, Map<String, String> headers, ContentMode mode,
                         List<WebhookSecret> secrets) {
        public Target {
            Objects.requireNonNull(sink, "sink");
            Objects.requireNonNull(method, "method");
            headers = Map.copyOf(headers);
            Objects.requireNonNull(mode, "mode");
            secrets = List.copyOf(secrets);
        }
    }

    /** How an attempt ended. */
    public enum Outcome {
        /** The sink answered 2xx. */
        DELIVERED,
        /** The sink answered 410 Gone: it wants no more events. */
        GONE,
        /** Any other answer, a timeout or a network error. */
        FAILED,
        /** The SSRF guard refused the sink's address; nothing was sent. */
        REFUSED
    }

    /**
     * One attempt.
     *
     * @param outcome  how it ended
     * @param status   the HTTP status, 0 when there was no answer
     * @param detail   a one-line description for dead letters and the subscription's health
     * @param duration how long it took
     */
    public record Attempt(Outcome outcome, int status, String detail, Duration duration) {
    }

    /** The user agent of webhook requests. */
    public static final String USER_AGENT = "Herald-Webhooks/1";
    private static final int MAX_BODY_EXCERPT = 512;

    private final Duration readTimeout;
    private final Duration connectTimeout;
    private final Clock clock;
    private final ExecutorService lookups = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient client;

    /**
     * A sender checking sinks' certificates against the JVM's trust store.
     *
     * @param connectTimeout     the longest wait for a TCP (and TLS) connection
     * @param readTimeout        the longest wait for the response after the request was sent
     * @param connectionsPerSink the most kept-alive connections to one origin: the largest concurrency a
     *                           subscription may ask for, so that none of its requests waits for a connection
     */
    public WebhookSender(SsrfGuard guard, Duration connectTimeout, Duration readTimeout, Clock clock,
                         int connectionsPerSink) {
        this(guard, connectTimeout, readTimeout, clock, connectionsPerSink, null);
    }

    /**
     * A sender checking sinks' certificates against the given trust store.
     *
     * @param trustStore the certificates a sink's chain must lead to, or null for the JVM's trust store
     */
    public WebhookSender(SsrfGuard guard, Duration connectTimeout, Duration readTimeout, Clock clock,
                         int connectionsPerSink, KeyStore trustStore) {
        Objects.requireNonNull(guard, "guard");
        this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
        this.readTimeout = Objects.requireNonNull(readTimeout, "readTimeout");
        this.clock = Objects.requireNonNull(clock, "clock");
        ClientConnector connector = new ClientConnector();
        connector.setConnectTimeout(connectTimeout);
        SslContextFactory.Client tls = new SslContextFactory.Client();
        tls.setEndpointIdentificationAlgorithm("HTTPS");
        if (trustStore != null) {
            tls.setTrustStore(trustStore);
        }
        connector.setSslContextFactory(tls);
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("herald-webhooks");
        threads.setDaemon(true);
        HTTP2Client http2 = new HTTP2Client(connector);
        // Sinks have nothing to push; before the sink's SETTINGS arrive, assume it takes a full subscription.
        http2.setMaxConcurrentPushedStreams(0);
        http2.setMaxLocalStreams(connectionsPerSink);
        // HTTP/1.1 first: it is what cleartext sinks get; over TLS, ALPN offers both and the sink chooses.
        client = new HttpClient(new HttpClientTransportDynamic(connector, HttpClientConnectionFactory.HTTP11,
                new ClientConnectionFactoryOverHTTP2.HTTP2(http2)));
        client.setExecutor(threads);
        client.setSocketAddressResolver(new GuardedAddressResolver(guard, lookups));
        client.setMaxConnectionsPerDestination(connectionsPerSink);
        // Several subscriptions may share a sink: past the pool, requests wait in its queue rather than fail.
        client.setMaxRequestsQueuedPerDestination(Math.max(1024, connectionsPerSink * 16));
        client.setFollowRedirects(false);
        client.setUserAgentField(null);
        client.setHttpCookieStore(new HttpCookieStore.Empty());
        client.getContentDecoderFactories().clear();
        client.getProtocolHandlers().clear();
        client.getProtocolHandlers().put(new ContinueProtocolHandler());
        try {
            client.start();
        } catch (Exception e) {
            lookups.shutdownNow();
            throw new IllegalStateException("cannot start the webhook HTTP client", e);
        }
    }

    /**
     * Delivers one event; never throws for a failed attempt, it is described in the result.
     *
     * @param json the event in the JSON structured format, as the transport stored it: in structured mode
     *             the body, sent and signed as is (asked for in that mode only)
     */
    public Attempt send(CloudEvent event, Supplier<byte[]> json, Target target) throws InterruptedException {
        long start = System.nanoTime();
        Request request;
        try {
            request = prepare(event, json, target);
        } catch (RuntimeException e) {
            // A poison event (a value no HTTP header can carry, say) fails like any attempt: recorded, retried,
            // dead-lettered; it must not escape into the dispatcher as an unexplained exception.
            return failed("request not sent: " + e.getMessage(), start);
        }
        Exchange exchange = new Exchange();
        request.onResponseContent(exchange).send(exchange);
        Result result;
        try {
            result = exchange.result.get(total().plusSeconds(1).toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            request.abort(e);
            return failed("no complete response within " + human(total()), start);
        } catch (InterruptedException e) {
            request.abort(e);
            throw e;
        } catch (ExecutionException e) {
            return failed("request failed: " + e.getCause(), start);
        }
        if (result.isFailed()) {
            Throwable failure = result.getFailure();
            Optional<SinkRefusedException> refused = refusal(failure);
            if (refused.isPresent()) {
                return new Attempt(Outcome.REFUSED, 0, "sink refused: " + refused.get().getMessage(), since(start));
            }
            return failed(describe(failure), start);
        }
        Response response = result.getResponse();
        int status = response.getStatus();
        String excerpt = exchange.excerpt();
        if (status >= 200 && status < 300) {
            return new Attempt(Outcome.DELIVERED, status, "HTTP " + status, since(start));
        }
        if (status == 410) {
            return new Attempt(Outcome.GONE, status, "HTTP 410 Gone: the sink asked for no more events"
                    + bodyPart(excerpt), since(start));
        }
        if (status >= 300 && status < 400) {
            String location = Optional.ofNullable(response.getHeaders().get("location")).orElse("(none)");
            return new Attempt(Outcome.FAILED, status, "HTTP " + status + " redirect to " + location
                    + " not followed: update the subscription's sink", since(start));
        }
        return new Attempt(Outcome.FAILED, status, "HTTP " + status + bodyPart(excerpt), since(start));
    }

    /** The request of one attempt: the event encoded, the headers set, signed. */
    private Request prepare(CloudEvent event, Supplier<byte[]> json, Target target) {
        CloudEventHttp.Message message = CloudEventHttp.encode(event, json, target.mode());
        long timestamp = clock.instant().getEpochSecond();
        HttpFields.Mutable headers = HttpFields.build();
        target.headers().forEach((name, value) -> header(headers, name, value));
        message.headers().forEach((name, value) -> header(headers, name, value));
        if (target.headers().keySet().stream().noneMatch("user-agent"::equalsIgnoreCase)) {
            header(headers, "user-agent", USER_AGENT);
        }
        header(headers, WebhookSigner.ID_HEADER, event.getId());
        headers.put(WebhookSigner.TIMESTAMP_HEADER, Long.toString(timestamp));
        if (!target.secrets().isEmpty()) {
            headers.put(WebhookSigner.SIGNATURE_HEADER,
                    WebhookSigner.signatureHeader(target.secrets(), event.getId(), timestamp, message.body()));
        }
        Request request = client.newRequest(target.sink())
                .method(target.method())
                .timeout(total().toMillis(), TimeUnit.MILLISECONDS)
                .idleTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .headers(fields -> fields.add(headers));
        if (message.body().length > 0 || message.headers().containsKey("content-type")) {
            request.body(new BytesRequestContent(message.headers().get("content-type"), message.body()));
        }
        return request;
    }

    /**
     * Sets a header after checking its value against RFC 9110 (visible ASCII, Latin-1, space and tab),
     * so that the failure names the header rather than a value being mangled on the wire.
     */
    private static void header(HttpFields.Mutable headers, String name, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '\t' && (c < 0x20 || c == 0x7F || c > 0xFF)) {
                throw new IllegalArgumentException("the " + name + " header cannot carry the character U+"
                        + String.format("%04X", (int) c) + " at index " + i + " of its value");
            }
        }
        headers.put(name, value);
    }

    /** The longest an attempt may take: connecting, then waiting for the response. */
    private Duration total() {
        return connectTimeout.plus(readTimeout);
    }

    private Attempt failed(String detail, long start) {
        return new Attempt(Outcome.FAILED, 0, detail, since(start));
    }

    private static Optional<SinkRefusedException> refusal(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SinkRefusedException refused) {
                return Optional.of(refused);
            }
        }
        return Optional.empty();
    }

    private String describe(Throwable error) {
        return switch (error) {
            case SocketTimeoutException e -> "could not connect within " + human(connectTimeout);
            case TimeoutException e when String.valueOf(e.getMessage()).startsWith("Total timeout") ->
                    "no complete response within " + human(total());
            case TimeoutException e -> "no response within " + human(readTimeout);
            case ConnectException e -> "connection refused or unreachable"
                    + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
            case IOException e -> "network error: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage());
            default -> "request failed: " + error;
        };
    }

    private static String bodyPart(String excerpt) {
        return excerpt.isBlank() ? "" : ": " + excerpt.strip().replaceAll("\\s+", " ");
    }

    private static String human(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    private static Duration since(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** Stops the client; attempts still running fail. */
    @Override
    public void close() {
        try {
            client.stop();
        } catch (Exception e) {
            throw new IllegalStateException("the webhook HTTP client did not stop cleanly", e);
        } finally {
            lookups.shutdownNow();
        }
    }

    /**
     * One exchange's outcome: reads the whole response body (so that the connection can be reused) but
     * keeps only its first bytes, for the error description.
     */
    private static final class Exchange implements Response.ContentListener, Response.CompleteListener {

        private final CompletableFuture<Result> result = new CompletableFuture<>();
        private final byte[] kept = new byte[MAX_BODY_EXCERPT];
        private int length;

        @Override
        public void onContent(Response response, ByteBuffer content) {
            int take = Math.min(content.remaining(), kept.length - length);
            content.get(kept, length, take);
            length += take;
        }

        @Override
        public void onComplete(Result outcome) {
            result.complete(outcome);
        }

        String excerpt() {
            String text = new String(kept, 0, length, StandardCharsets.UTF_8);
            return length == MAX_BODY_EXCERPT ? text + "…" : text;
        }
    }
}
