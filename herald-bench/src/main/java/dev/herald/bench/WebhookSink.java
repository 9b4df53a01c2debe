package dev.herald.bench;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.security.KeyStore;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A webhook receiver that does nothing with what it gets, for measuring delivery: it reads each request
 * whole, optionally checks its Standard Webhooks signature, counts it, remembers its {@code webhook-id},
 * and answers {@code 204 No Content}. Plain HTTP/1.1 with keep-alive on a loopback port; started with a
 * key store, also HTTPS on two more ports: one offering HTTP/2 and HTTP/1.1 through ALPN, one HTTP/1.1
 * only ({@link Protocol}). It counts the requests per protocol they arrived over, so that a run can show
 * that HTTP/2 was used where it was offered.
 *
 * <pre>{@code
 * try (WebhookSink sink = WebhookSink.start()) {
 *     sink.verifyWith(secret);             // the subscription's whsec_… secret, optional
 *     // create a subscription whose sink is sink.uri(), then:
 *     sink.awaitDistinct(events, Duration.ofMinutes(2));
 *     long drainedAt = sink.lastNewIdNanos();
 * }
 * }</pre>
 *
 * <p>The signature check is independent of Herald's signer: HMAC-SHA256 over
 * {@code <webhook-id>.<webhook-timestamp>.<body>} with the key the secret's base64 encodes, compared in
 * constant time with each {@code v1,} signature of {@code webhook-signature}. A request that fails it
 * is still answered 2xx (so that a benchmark measures throughput, not retries) but counted in
 * {@link #badSignatures()}, which a run must then report. The timestamp's freshness is not checked.
 *
 * <p>Several Herald instances may deliver to one sink: ids are counted once however many times and from
 * wherever they arrive ({@link #distinct()} against {@link #requests()} shows redeliveries).
 */
public final class WebhookSink implements AutoCloseable {

    /** The path the sink answers on (any path is answered; this one is in {@link #uri()}). */
    public static final String PATH = "/hooks/bench";

    private static final String SECRET_PREFIX = "whsec_";

    /** How a sender reaches the sink. */
    public enum Protocol {
        /** {@code http://}: HTTP/1.1 (the default sink). */
        H1_CLEARTEXT("h1-cleartext", "HTTP/1.1"),
        /** {@code https://} offering HTTP/1.1 only. */
        H1_TLS("h1-tls", "HTTP/1.1"),
        /** {@code https://} offering HTTP/2 and HTTP/1.1 through ALPN. */
        H2_TLS("h2-tls", "HTTP/2.0");

        private final String label;
        private final String wire;

        Protocol(String label, String wire) {
            this.label = label;
            this.wire = wire;
        }

        /** The name in options and reports: {@code h1-cleartext}, {@code h1-tls}, {@code h2-tls}. */
        public String label() {
            return label;
        }

        /** The protocol the requests should arrive over when the sender uses what is offered: {@code HTTP/2.0}. */
        public String wire() {
            return wire;
        }
    }

    private final Server server;
    private final Map<Protocol, ServerConnector> connectors = new EnumMap<>(Protocol.class);
    private final Map<String, LongAdder> byProtocol = new ConcurrentHashMap<>();
    private final LongAdder requests = new LongAdder();
    private final LongAdder badSignatures = new LongAdder();
    private final Set<String> ids = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition grown = lock.newCondition();
    private volatile long lastNewIdNanos;
    private volatile byte[] key;
    private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(WebhookSink::newMac);

    private WebhookSink(KeyStore keyStore, String password) {
        QueuedThreadPool threads = new QueuedThreadPool(256, 8);
        threads.setName("bench-sink");
        threads.setDaemon(true);
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        listen(Protocol.H1_CLEARTEXT, new HttpConnectionFactory(http));
        if (keyStore != null) {
            HttpConfiguration https = new HttpConfiguration(http);
            https.addCustomizer(new SecureRequestCustomizer());
            SslContextFactory.Server tls = new SslContextFactory.Server();
            tls.setKeyStore(keyStore);
            tls.setKeyStorePassword(password);
            ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
            alpn.setDefaultProtocol("http/1.1");
            listen(Protocol.H2_TLS, new SslConnectionFactory(tls, alpn.getProtocol()), alpn,
                    new HTTP2ServerConnectionFactory(https), new HttpConnectionFactory(https));
            listen(Protocol.H1_TLS, new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory(https));
        }
        server.setHandler(new Receiver());
    }

    private void listen(Protocol protocol, ConnectionFactory... factories) {
        ServerConnector connector = new ServerConnector(server, 1, 1, factories);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        connectors.put(protocol, connector);
    }

    /** Starts a sink on a free loopback port, plain HTTP only. */
    public static WebhookSink start() {
        return start(new WebhookSink(null, null));
    }

    /**
     * Starts a sink on three free loopback ports, one per {@link Protocol}; the HTTPS ones present the key
     * store's only key and certificate.
     */
    public static WebhookSink startWithTls(KeyStore keyStore, String password) {
        return start(new WebhookSink(Objects.requireNonNull(keyStore, "keyStore"), password));
    }

    private static WebhookSink start(WebhookSink sink) {
        try {
            sink.server.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the webhook sink", e);
        }
        return sink;
    }

    /** Checks every request's signature from now on against this {@code whsec_…} secret. */
    public void verifyWith(String secret) {
        Objects.requireNonNull(secret, "secret");
        if (!secret.startsWith(SECRET_PREFIX)) {
            throw new IllegalArgumentException("a Standard Webhooks secret starts with " + SECRET_PREFIX);
        }
        key = Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()));
    }

    /** The URL to deliver to: {@code http://127.0.0.1:<port>/hooks/bench}. */
    public URI uri() {
        return uri(Protocol.H1_CLEARTEXT);
    }

    /**
     * The URL to deliver to over this protocol: {@code https://127.0.0.1:<port>/hooks/bench} for the TLS ones.
     *
     * @throws IllegalStateException when the sink was started without TLS
     */
    public URI uri(Protocol protocol) {
        ServerConnector connector = connectors.get(protocol);
        if (connector == null) {
            throw new IllegalStateException("the sink was started without TLS: no " + protocol.label() + " port");
        }
        String scheme = protocol == Protocol.H1_CLEARTEXT ? "http" : "https";
        return URI.create(scheme + "://127.0.0.1:" + connector.getLocalPort() + PATH);
    }

    /** Requests received per protocol they arrived over ({@code HTTP/1.1}, {@code HTTP/2.0}). */
    public Map<String, Long> requestsByProtocol() {
        Map<String, Long> counts = new TreeMap<>();
        byProtocol.forEach((protocol, count) -> counts.put(protocol, count.sum()));
        return counts;
    }

    /** Requests received (every delivery attempt, redeliveries included). */
    public long requests() {
        return requests.sum();
    }

    /** Different {@code webhook-id}s received (each event counted once). */
    public long distinct() {
        return ids.size();
    }

    /** Requests whose signature did not verify (or that had none) while a secret was set. */
    public long badSignatures() {
        return badSignatures.sum();
    }

    /** {@link System#nanoTime()} when the newest id first arrived (0 before any). */
    public long lastNewIdNanos() {
        return lastNewIdNanos;
    }

    /** Forgets every count and id (the secret stays). */
    public void reset() {
        requests.reset();
        byProtocol.clear();
        badSignatures.reset();
        ids.clear();
        lastNewIdNanos = 0;
    }

    /**
     * Waits until {@code count} different ids arrived.
     *
     * @return whether they did within the timeout
     */
    public boolean awaitDistinct(long count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (ids.size() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                grown.awaitNanos(Math.min(left, 50_000_000L));
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The Standard Webhooks signature of a request: {@code v1,} + base64 HMAC-SHA256 over
     * {@code id.timestamp.body} with the key the {@code whsec_} secret encodes.
     */
    public static String sign(String secret, String id, long timestampSeconds, byte[] body) {
        Mac mac = newMac();
        try {
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length())),
                    "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a usable HMAC key", e);
        }
        mac.update((id + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
        return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("the webhook sink did not stop cleanly", e);
        }
    }

    private boolean verified(String id, String timestamp, String signatures, byte[] body) {
        byte[] current = key;
        if (current == null) {
            return true;
        }
        if (id == null || timestamp == null || signatures == null) {
            return false;
        }
        Mac mac = macs.get();
        try {
            mac.init(new SecretKeySpec(current, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            return false;
        }
        mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
        byte[] expected = mac.doFinal(body);
        for (String signature : signatures.split(" ")) {
            if (signature.startsWith("v1,")) {
                try {
                    if (MessageDigest.isEqual(expected, Base64.getDecoder().decode(signature.substring(3)))) {
                        return true;
                    }
                } catch (IllegalArgumentException notBase64) {
                    // a malformed signature does not match; try the next one
                }
            }
        }
        return false;
    }

    private void arrived(String id) {
        if (id != null && ids.add(id)) {
            lastNewIdNanos = System.nanoTime();
            if (lock.tryLock()) {
                try {
                    grown.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    private static Mac newMac() {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
        }
    }

    /** Reads the request whole (blocking is fine: Jetty runs this handler on a pool thread), then answers 204. */
    private final class Receiver extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            ByteBuffer content = Content.Source.asByteBuffer(request);
            byte[] body = new byte[content.remaining()];
            content.get(body);
            requests.increment();
            byProtocol.computeIfAbsent(request.getConnectionMetaData().getProtocol(), p -> new LongAdder()).increment();
            String id = request.getHeaders().get("webhook-id");
            if (!verified(id, request.getHeaders().get("webhook-timestamp"),
                    request.getHeaders().get("webhook-signature"), body)) {
                badSignatures.increment();
            }
            arrived(id);
            response.setStatus(HttpStatus.NO_CONTENT_204);
            callback.succeeded();
            return true;
        }
    }
}
