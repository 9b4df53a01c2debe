package dev.herald.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.herald.server.wire.DeliveryBody;
import dev.herald.server.wire.SubscriptionBody;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What {@code tail} and {@code replay} share: an ephemeral PULL subscription deleted on exit (also on
 * Ctrl-C), and printing events one line each.
 */
final class PulledEvents {

    /** How events are printed. */
    enum Output { text, json }

    private PulledEvents() {
    }

    /** Creates an ephemeral PULL subscription and returns its id. */
    static String createEphemeral(ServerClient server, SubscriptionFilterOptions filter, String startAt)
            throws ServerClient.Failure {
        SubscriptionBody body = filter.request(null, null, "PULL", null, startAt == null ? null
                : new DeliveryBody(null, null, null, null, null, startAt, null), true, null);
        return server.send("POST", "/v1/subscriptions", "application/json", ServerClient.bytes(body), false)
                .as(new TypeReference<SubscriptionBody>() { }).id();
    }

    /** Deletes the subscription once, whether the command ends normally or by a signal. */
    static final class Cleanup implements AutoCloseable {
        private final ServerClient server;
        private final String subscription;
        private final EventStream stream;
        private final PrintWriter err;
        private final AtomicBoolean done = new AtomicBoolean();
        private final Thread hook;

        Cleanup(ServerClient server, String subscription, EventStream stream, PrintWriter err) {
            this.server = server;
            this.subscription = subscription;
            this.stream = stream;
            this.err = err;
            this.hook = new Thread(() -> {
                stream.stop();
                delete();
            }, "herald-cli-cleanup");
            Runtime.getRuntime().addShutdownHook(hook);
        }

        private void delete() {
            if (done.compareAndSet(false, true)) {
                try {
                    server.send("DELETE", "/v1/subscriptions/" + subscription, null, null, true);
                } catch (ServerClient.Failure e) {
                    err.println("herald: could not delete subscription " + subscription + " (the server removes "
                            + "it after a while): " + e.getMessage());
                    err.flush();
                }
            }
        }

        @Override
        public void close() {
            delete();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs (and finds the work done)
            }
        }
    }

    /** Prints one event: a human-readable line, or the CloudEvent JSON. */
    static void print(PrintWriter out, Output output, String json) {
        if (output == Output.json) {
            out.println(json);
            out.flush();
            return;
        }
        JsonNode event;
        try {
            event = ServerClient.JSON.readTree(json);
        } catch (IOException e) {
            out.println(json);
            out.flush();
            return;
        }
        StringBuilder line = new StringBuilder();
        line.append(pad(event.path("time").asText("-"), 30));
        line.append(pad(event.path("type").asText(), 32));
        line.append(pad(event.path("subject").asText("-"), 36));
        if (event.hasNonNull("project")) {
            line.append(pad(event.path("project").asText(), 30));
        }
        line.append(event.path("id").asText());
        out.println(line.toString().stripTrailing());
        out.flush();
    }

    private static String pad(String text, int width) {
        return text.length() >= width - 1 ? text + "  " : text + " ".repeat(width - text.length());
    }
}
