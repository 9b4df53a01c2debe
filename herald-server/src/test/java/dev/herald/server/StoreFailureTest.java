package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.event.JsonEvents;
import dev.herald.server.config.ServerConfig;
import dev.herald.transport.Capability;
import dev.herald.transport.Consumer;
import dev.herald.transport.DeadLetter;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.LogPage;
import dev.herald.transport.LogQuery;
import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionSpec;
import dev.herald.transport.SubscriptionStats;
import dev.herald.transport.Transport;
import dev.herald.transport.TransportException;
import dev.herald.transport.memory.InMemoryTransport;
import io.cloudevents.CloudEvent;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failing store answers 503 (safe to retry) and a retry after recovery is accepted once. */
class StoreFailureTest {

    @TempDir
    Path dir;

    /** The in-memory transport, with publishes failing while {@link #broken} is set. */
    static final class Flaky implements Transport {
        final InMemoryTransport delegate = new InMemoryTransport();
        final AtomicBoolean broken = new AtomicBoolean(true);

        @Override public String name() { return "flaky"; }
        @Override public Set<Capability> capabilities() { return delegate.capabilities(); }
        @Override public void publish(String topic, List<EncodedEvent> events) {
            if (broken.get()) {
                throw new TransportException("disk on fire", null);
            }
            delegate.publish(topic, events);
        }
        @Override public void createSubscription(SubscriptionSpec spec) { delegate.createSubscription(spec); }
        @Override public Optional<SubscriptionSpec> subscription(String name) { return delegate.subscription(name); }
        @Override public void deleteSubscription(String name) { delegate.deleteSubscription(name); }
        @Override public Consumer openConsumer(String subscription) { return delegate.openConsumer(subscription); }
        @Override public void seek(String subscription, StartPosition position) { delegate.seek(subscription, position); }
        @Override public SubscriptionStats stats(String subscription) { return delegate.stats(subscription); }
        @Override public List<DeadLetter> deadLetters(String s, String after, int limit) {
            return delegate.deadLetters(s, after, limit);
        }
        @Override public int redrive(String s, List<String> ids) { return delegate.redrive(s, ids); }
        @Override public int discard(String s, List<String> ids) { return delegate.discard(s, ids); }
        @Override public LogPage query(LogQuery query) { return delegate.query(query); }
        @Override public void close() { delegate.close(); }
    }

    @Test
    void storeFailuresAre503AndRetriesAreSafe() throws Exception {
        Flaky flaky = new Flaky();
        ServerConfig config = ServerConfig.fromMap(Map.of("port", "0", "host", "127.0.0.1", "data", dir.toString()))
                .withInitialAdminToken(Harness.FIXED_ADMIN);
        try (HeraldServer server = HeraldServer.builder(config).transport(path -> flaky)
                .firstStartOutput(new PrintStream(PrintStream.nullOutputStream())).start()) {
            HttpClient client = HttpClient.newHttpClient();
            CloudEvent event = Harness.pipeline(1, null);
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/events"))
                    .header("Authorization", "Bearer " + Harness.FIXED_ADMIN)
                    .header("Content-Type", JsonEvents.STRUCTURED)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JsonEvents.write(event))).build();

            HttpResponse<String> failed = client.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(failed.statusCode()).isEqualTo(503);
            assertThat(failed.headers().firstValue("Retry-After")).contains("1");
            assertThat(failed.body()).contains("retrying is safe").doesNotContain("disk on fire");

            flaky.broken.set(false);
            HttpResponse<String> retried = client.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(retried.statusCode()).isEqualTo(202);
            assertThat(retried.body()).contains("\"duplicates\":[]");
            assertThat(flaky.query(LogQuery.of("events")).entries()).hasSize(1);
        }
    }
}
