package dev.herald.archive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.schema.SchemaRegistry;
import dev.herald.transport.Capability;
import dev.herald.transport.Consumer;
import dev.herald.transport.DeadLetter;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionSpec;
import dev.herald.transport.SubscriptionStats;
import dev.herald.transport.Transport;
import dev.herald.transport.embedded.EmbeddedOptions;
import dev.herald.transport.embedded.EmbeddedTransport;
import io.cloudevents.CloudEvent;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.parquet.example.data.Group;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without QUERY the export replays through a subscription of its own: every event once, and a rerun adds nothing. */
class ReplayExportTest {

    @TempDir
    Path dir;

    @Test
    void replaysEveryEventOnceAndRerunsAddNothing() throws Exception {
        SchemaRegistry schemas = TestSchemas.registry(dir.resolve("schemas"));
        try (EmbeddedTransport store = EmbeddedTransport.open(dir.resolve("events.db"), EmbeddedOptions.defaults())) {
            Transport withoutQuery = new WithoutQuery(store);
            Map<String, CloudEvent> published = TestSchemas.publish(store, schemas, 12_000);
            ExportSpec spec = ExportSpec.to(dir.resolve("out")).withRowsPerFile(3_000);

            Exporter.Result first = new Exporter(withoutQuery, schemas).run(spec, Exporter.Progress.NONE);
            assertThat(first.rowsThisRun()).isEqualTo(12_000);
            Exporter.Result again = new Exporter(withoutQuery, schemas).run(spec, Exporter.Progress.NONE);
            assertThat(again.rowsThisRun()).isZero();

            Set<String> ids = new HashSet<>();
            for (Path file : ParquetFiles.under(dir.resolve("out"))) {
                for (Group row : ParquetFiles.read(file).rows()) {
                    assertThat(ids.add(row.getString("id", 0))).isTrue();
                }
            }
            assertThat(ids).isEqualTo(published.keySet());
        }
    }

    /** The embedded transport as a transport without QUERY would be. */
    private record WithoutQuery(Transport inner) implements Transport {
        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public Set<Capability> capabilities() {
            Set<Capability> capabilities = EnumSet.copyOf(inner.capabilities());
            capabilities.remove(Capability.QUERY);
            return capabilities;
        }

        @Override
        public void publish(String topic, List<EncodedEvent> events) {
            inner.publish(topic, events);
        }

        @Override
        public void createSubscription(SubscriptionSpec spec) {
            inner.createSubscription(spec);
        }

        @Override
        public Optional<SubscriptionSpec> subscription(String name) {
            return inner.subscription(name);
        }

        @Override
        public void deleteSubscription(String name) {
            inner.deleteSubscription(name);
        }

        @Override
        public Consumer openConsumer(String subscription) {
            return inner.openConsumer(subscription);
        }

        @Override
        public void seek(String subscription, StartPosition position) {
            inner.seek(subscription, position);
        }

        @Override
        public SubscriptionStats stats(String subscription) {
            return inner.stats(subscription);
        }

        @Override
        public List<DeadLetter> deadLetters(String subscription, String afterIdOrNull, int limit) {
            return inner.deadLetters(subscription, afterIdOrNull, limit);
        }

        @Override
        public int redrive(String subscription, List<String> deadLetterIds) {
            return inner.redrive(subscription, deadLetterIds);
        }

        @Override
        public int discard(String subscription, List<String> deadLetterIds) {
            return inner.discard(subscription, deadLetterIds);
        }

        @Override
        public void close() {
        }
    }
}
