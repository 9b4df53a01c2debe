package dev.herald.cli;

import dev.herald.server.wire.IdsBody;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Reads a PULL subscription's Server-Sent Events stream: hands each event to a listener, acks
 * handled events in batches, reconnects with {@code Last-Event-ID} when the stream drops (events not
 * acked yet come again: the listener may see an event twice).
 */
final class EventStream {

    /** Handles one event; returns false to stop. */
    @FunctionalInterface
    interface Listener {
        boolean onEvent(String id, String type, String json) throws ServerClient.Failure;
    }

    /** Decides, while no event arrives, whether the stream is done (replay: caught up). */
    @FunctionalInterface
    interface IdleCheck {
        boolean done() throws ServerClient.Failure;
    }

    private record Message(String id, String type, String data) {
    }

    private static final Message ENDED = new Message(null, null, null);
    private static final int ACK_BATCH = 100;
    private static final Duration ACK_EVERY = Duration.ofMillis(250);
    private static final int RECONNECTS = 10;

    private final ClientOptions options;
    private final ServerClient server;
    private final String subscription;
    private final PrintWriter err;
    private final HttpClient http;
    private final List<String> unacked = new ArrayList<>();
    private volatile boolean stopped;
    private volatile InputStream body;

    EventStream(ClientOptions options, ServerClient server, String subscription, PrintWriter err)
            throws ServerClient.Failure {
        this.options = options;
        this.server = server;
        this.subscription = subscription;
        this.err = err;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (options.caCert != null) {
            builder.sslContext(trusting(options));
        }
        this.http = builder.build();
    }

    /**
     * Reads until the listener returns false, {@link #stop()} is called, or the idle check says done.
     *
     * @param idleCheck asked after each second without events; null to read forever
     */
    void run(Listener listener, IdleCheck idleCheck) throws ServerClient.Failure {
        String lastEventId = null;
        int reconnects = 0;
        try {
            while (!stopped) {
                BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
                connect(lastEventId, messages);
                long idleSince = System.nanoTime();
                long lastFlush = System.nanoTime();
                boolean ended = false;
                while (!stopped && !ended) {
                    Message message;
                    try {
                        message = messages.poll(ACK_EVERY.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    if (message == ENDED) {
                        ended = true;
                    } else if (message != null) {
                        reconnects = 0;
                        lastEventId = message.id();
                        idleSince = System.nanoTime();
                        if (!listener.onEvent(message.id(), message.type(), message.data())) {
                            unacked.add(message.id());
                            return;
                        }
                        unacked.add(message.id());
                    }
                    if (unacked.size() >= ACK_BATCH || System.nanoTime() - lastFlush >= ACK_EVERY.toNanos()) {
                        flushAcks();
                        lastFlush = System.nanoTime();
                    }
                    if (idleCheck != null && message == null && System.nanoTime() - idleSince >= 1_000_000_000L) {
                        flushAcks();
                        if (idleCheck.done()) {
                            return;
                        }
                        idleSince = System.nanoTime();
                    }
                }
                if (stopped) {
                    return;
                }
                flushAcks();
                if (++reconnects > RECONNECTS) {
                    throw new ServerClient.Failure(Herald.FAILURE, 0, "the stream of subscription " + subscription
                            + " keeps ending; giving up", null);
                }
                err.println("herald: the stream ended; reconnecting (attempt " + reconnects + ")");
                err.flush();
                sleep(Math.min(10_000, 500L << Math.min(reconnects, 5)));
            }
        } finally {
            closeBody();
            if (!unacked.isEmpty()) {
                try {
                    flushAcks();
                } catch (ServerClient.Failure e) {
                    err.println("herald: could not ack the last events (they may come again): " + e.getMessage());
                }
            }
        }
    }

    /** Stops reading (from another thread, e.g. on Ctrl-C). */
    void stop() {
        stopped = true;
        closeBody();
    }

    private void connect(String lastEventId, BlockingQueue<Message> messages) throws ServerClient.Failure {
        URI url = server.base().resolve("v1/subscriptions/" + subscription + "/stream");
        HttpRequest.Builder request = HttpRequest.newBuilder(url).GET()
                .header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + options.token.strip());
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            messages.add(ENDED);
            err.println("herald: cannot reach " + url + ": " + e.getMessage());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServerClient.Failure(Herald.FAILURE, 0, "interrupted", null);
        }
        if (response.statusCode() != 200) {
            String text;
            try (InputStream in = response.body()) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                text = "";
            }
            throw new ServerClient.Failure(response.statusCode() == 404 ? Herald.BAD_INPUT : Herald.FAILURE,
                    response.statusCode(), "cannot stream subscription " + subscription + ": HTTP "
                    + response.statusCode() + " " + text, null);
        }
        body = response.body();
        InputStream in = body;
        Thread.ofVirtual().name("herald-cli-sse").start(() -> read(in, messages));
    }

    private static void read(InputStream in, BlockingQueue<Message> messages) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String id = null;
            String type = null;
            StringBuilder data = null;
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data != null) {
                        messages.add(new Message(id, type, data.toString()));
                    }
                    id = null;
                    type = null;
                    data = null;
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).strip();
                } else if (line.startsWith("event:")) {
                    type = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    data = data == null ? new StringBuilder() : data.append('\n');
                    data.append(line.substring(5).strip());
                }
            }
        } catch (IOException e) {
            // the stream was closed
        } finally {
            messages.add(ENDED);
        }
    }

    private void flushAcks() throws ServerClient.Failure {
        if (unacked.isEmpty()) {
            return;
        }
        server.send("POST", "/v1/subscriptions/" + subscription + "/acks", "application/json",
                ServerClient.bytes(IdsBody.of(List.copyOf(unacked))), true);
        unacked.clear();
    }

    private void closeBody() {
        InputStream in = body;
        if (in != null) {
            try {
                in.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static SSLContext trusting(ClientOptions options) throws ServerClient.Failure {
        try (InputStream in = Files.newInputStream(options.caCert)) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            int i = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca" + i++, certificate);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, factory.getTrustManagers(), null);
            return ssl;
        } catch (IOException | GeneralSecurityException e) {
            throw new ServerClient.Failure(Herald.BAD_INPUT, 0, "cannot use --cacert " + options.caCert + ": "
                    + e.getMessage(), null);
        }
    }
}
