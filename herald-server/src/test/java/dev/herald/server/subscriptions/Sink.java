package dev.herald.server.subscriptions;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** A real webhook receiver on 127.0.0.1 (JDK HTTP server) that records every request. */
public final class Sink implements AutoCloseable {

    /** One received request. */
    public record Received(String method, String path, Map<String, List<String>> headers, byte[] body,
                           long receivedNanos) {
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : values.getFirst();
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** What to answer. */
    public record Reply(int status, Map<String, String> headers, Duration delay, String body) {
        public static Reply status(int status) {
            return new Reply(status, Map.of(), Duration.ZERO, "");
        }
    }

    private final HttpServer server;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final List<Received> all = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile Function<Received, Reply> responder = r -> Reply.status(200);
    private volatile boolean record = true;

    public Sink() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Map<String, List<String>> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT),
                    List.copyOf(values)));
            Received request = new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers,
                    body, System.nanoTime());
            Reply reply = responder.apply(request);
            if (record) {
                received.add(request);
                all.add(request);
            }
            if (!reply.delay().isZero()) {
                try {
                    Thread.sleep(reply.delay());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            reply.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(reply.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                exchange.getResponseBody().write(out);
            }
        }
    }

    /** The sink's URL for a path, e.g. {@code /hook}. */
    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    public String url() {
        return url("/hook").toString();
    }

    public void respond(Function<Received, Reply> newResponder) {
        this.responder = newResponder;
    }

    public void respond(int status) {
        respond(r -> Reply.status(status));
    }

    /** Stops keeping requests (for benchmarks). */
    public void recording(boolean on) {
        this.record = on;
    }

    /** The next request, waiting up to the timeout; fails when none arrives. */
    public Received next(Duration timeout) {
        try {
            Received request = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (request == null) {
                throw new AssertionError("the sink received nothing within " + timeout);
            }
            return request;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public Received next() {
        return next(Duration.ofSeconds(10));
    }

    /** Asserts that nothing arrives for a while. */
    public void expectNothing(Duration during) {
        try {
            Received request = received.poll(during.toMillis(), TimeUnit.MILLISECONDS);
            if (request != null) {
                throw new AssertionError("the sink unexpectedly received " + request.method() + " " + request.path()
                        + " " + request.bodyText());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Every request so far. */
    public List<Received> all() {
        synchronized (all) {
            return List.copyOf(all);
        }
    }

    public void clear() {
        received.clear();
        all.clear();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
