package dev.herald.cli.distribution;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.herald.server.webhook.WebhookSecret;
import dev.herald.server.webhook.WebhookSigner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A webhook receiver on 127.0.0.1 that checks every request's Standard Webhooks signature against the
 * secrets it was told ({@link #trust}) and counts deliveries per event id ({@code webhook-id}): badly
 * signed requests answer 401 and are counted apart; a second delivery of an id is a duplicate.
 */
public final class WebhookSink implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, WebhookSecret> secrets = new ConcurrentHashMap<>();
    /** Per subscription, per event id: how many times it arrived. */
    private final Map<String, Map<String, AtomicInteger>> deliveries = new ConcurrentHashMap<>();
    private final AtomicInteger badSignatures = new AtomicInteger();

    public WebhookSink() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    /** The URL for a subscription: {@code http://127.0.0.1:<port>/<name>}; the path names the subscription. */
    public String url(String subscription) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + subscription;
    }

    /** Accepts requests for this subscription signed with this secret ({@code whsec_…}). */
    public void trust(String subscription, String secret) {
        secrets.put(subscription, WebhookSecret.parse(secret));
    }

    /** The event ids delivered at least once to this subscription. */
    public Set<String> delivered(String subscription) {
        return deliveries.getOrDefault(subscription, Map.of()).keySet();
    }

    /** How many deliveries to this subscription repeated an event id already delivered. */
    public int duplicates(String subscription) {
        return deliveries.getOrDefault(subscription, Map.of()).values().stream()
                .mapToInt(count -> count.get() - 1).sum();
    }

    /** How many requests carried no valid signature. */
    public int badSignatures() {
        return badSignatures.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String subscription = exchange.getRequestURI().getPath().substring(1);
            String id = exchange.getRequestHeaders().getFirst(WebhookSigner.ID_HEADER);
            String timestamp = exchange.getRequestHeaders().getFirst(WebhookSigner.TIMESTAMP_HEADER);
            String signatures = exchange.getRequestHeaders().getFirst(WebhookSigner.SIGNATURE_HEADER);
            WebhookSecret secret = secrets.get(subscription);
            if (secret == null || id == null || timestamp == null || signatures == null
                    || !Arrays.asList(signatures.split(" "))
                    .contains(WebhookSigner.sign(secret, id, Long.parseLong(timestamp), body))) {
                badSignatures.incrementAndGet();
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            deliveries.computeIfAbsent(subscription, key -> new ConcurrentHashMap<>())
                    .computeIfAbsent(id, key -> new AtomicInteger()).incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
