package dev.herald.server.webhook;

import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends events to webhook sinks: checks the sink against the {@link SsrfGuard} (again, at every
 * attempt), encodes the event per the CloudEvents HTTP binding, signs it per Standard Webhooks, and
 * classifies the answer. Redirects are never followed (a 3xx is a failure); connect and response
 * timeouts bound every attempt. One {@link HttpClient} (HTTP/1.1, connection reuse) on virtual
 * threads serves every subscription.
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

    private final SsrfGuard guard;
    private final Duration readTimeout;
    private final Duration connectTimeout;
    private final Clock clock;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient client;

    /**
     * @param connectTimeout the longest wait for a TCP (and TLS) connection
     * @param readTimeout    the longest wait for the response after the request was sent
     */
    public WebhookSender(SsrfGuard guard, Duration connectTimeout, Duration readTimeout, Clock clock) {
        this.guard = Objects.requireNonNull(guard, "guard");
        this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
        this.readTimeout = Objects.requireNonNull(readTimeout, "readTimeout");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(connectTimeout)
                .executor(executor)
                .build();
    }

    /** The guard checking sinks. */
    public SsrfGuard guard() {
        return guard;
    }

    /** Delivers one event; never throws for a failed attempt, it is described in the result. */
    public Attempt send(CloudEvent event, Target target) throws InterruptedException {
        long start = System.nanoTime();
        try {
            guard.check(target.sink());
        } catch (SinkRefusedException e) {
            return new Attempt(Outcome.REFUSED, 0, "sink refused: " + e.getMessage(), since(start));
        }
        HttpRequest request;
        try {
            request = prepare(event, target);
        } catch (RuntimeException e) {
            // A poison event (a value no HTTP header can carry, say) fails like any attempt: recorded, retried,
            // dead-lettered; it must not escape into the dispatcher as an unexplained exception.
            return failed("request not sent: " + e.getMessage(), start);
        }
        CompletableFuture<HttpResponse<String>> call = client.sendAsync(request, info -> new Excerpt());
        HttpResponse<String> response;
        try {
            // The request timeout covers the wait for the response head; this bounds the body as well.
            response = call.get(connectTimeout.plus(readTimeout).plusSeconds(1).toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            call.cancel(true);
            return failed("no complete response within " + human(readTimeout), start);
        } catch (InterruptedException e) {
            call.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            return failed(describe(e.getCause()), start);
        }
        int status = response.statusCode();
        String excerpt = response.body();
        if (status >= 200 && status < 300) {
            return new Attempt(Outcome.DELIVERED, status, "HTTP " + status, since(start));
        }
        if (status == 410) {
            return new Attempt(Outcome.GONE, status, "HTTP 410 Gone: the sink asked for no more events"
                    + bodyPart(excerpt), since(start));
        }
        if (status >= 300 && status < 400) {
            String location = response.headers().firstValue("location").orElse("(none)");
            return new Attempt(Outcome.FAILED, status, "HTTP " + status + " redirect to " + location
                    + " not followed: update the subscription's sink", since(start));
        }
        return new Attempt(Outcome.FAILED, status, "HTTP " + status + bodyPart(excerpt), since(start));
    }

    /** The request of one attempt: the event encoded, the headers set, signed. */
    private HttpRequest prepare(CloudEvent event, Target target) {
        CloudEventHttp.Message message = CloudEventHttp.encode(event, target.mode());
        long timestamp = clock.instant().getEpochSecond();
        HttpRequest.Builder request = HttpRequest.newBuilder(target.sink())
                .timeout(readTimeout)
                .method(target.method(), HttpRequest.BodyPublishers.ofByteArray(message.body()));
        target.headers().forEach((name, value) -> header(request, name, value));
        message.headers().forEach((name, value) -> header(request, name, value));
        if (target.headers().keySet().stream().noneMatch("user-agent"::equalsIgnoreCase)) {
            header(request, "user-agent", USER_AGENT);
        }
        header(request, WebhookSigner.ID_HEADER, event.getId());
        request.header(WebhookSigner.TIMESTAMP_HEADER, Long.toString(timestamp));
        if (!target.secrets().isEmpty()) {
            request.header(WebhookSigner.SIGNATURE_HEADER,
                    WebhookSigner.signatureHeader(target.secrets(), event.getId(), timestamp, message.body()));
        }
        return request.build();
    }

    /**
     * Sets a header after checking its value against RFC 9110 (visible ASCII, Latin-1, space and tab),
     * so that the failure names the header.
     */
    private static void header(HttpRequest.Builder request, String name, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '\t' && (c < 0x20 || c == 0x7F || c > 0xFF)) {
                throw new IllegalArgumentException("the " + name + " header cannot carry the character U+"
                        + String.format("%04X", (int) c) + " at index " + i + " of its value");
            }
        }
        request.header(name, value);
    }

    private Attempt failed(String detail, long start) {
        return new Attempt(Outcome.FAILED, 0, detail, since(start));
    }

    private String describe(Throwable error) {
        return switch (error) {
            case HttpConnectTimeoutException e -> "could not connect within " + human(connectTimeout);
            case HttpTimeoutException e -> "no response within " + human(readTimeout);
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
        client.shutdownNow();
        executor.shutdownNow();
    }

    /**
     * Reads the whole response body (so that the connection can be reused) but keeps only its first
     * bytes, for the error description.
     */
    private static final class Excerpt implements HttpResponse.BodySubscriber<String> {

        private final CompletableFuture<String> result = new CompletableFuture<>();
        private final byte[] kept = new byte[MAX_BODY_EXCERPT];
        private int length;

        @Override
        public CompletionStage<String> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer buffer : buffers) {
                int take = Math.min(buffer.remaining(), kept.length - length);
                buffer.get(kept, length, take);
                length += take;
            }
        }

        @Override
        public void onError(Throwable error) {
            result.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            String text = new String(kept, 0, length, StandardCharsets.UTF_8);
            result.complete(length == MAX_BODY_EXCERPT ? text + "…" : text);
        }
    }
}
