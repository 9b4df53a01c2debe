package dev.herald.transport.pubsub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.event.EventBuilder;
import dev.herald.filter.Filter;
import dev.herald.schema.SchemaRegistry;
import dev.herald.store.EventStore;
import dev.herald.store.SubscribeOptions;
import dev.herald.transport.Capability;
import dev.herald.transport.NativeFilter;
import dev.herald.transport.SubscriptionSpec;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * A subscription's filter on Pub/Sub: what translates becomes the Pub/Sub subscription's filter when it is created,
 * and the client still applies the whole filter. The emulator stores a filter but does not apply it (README-pubsub.md),
 * so this checks the stored filter through the admin API and that deliveries are right, not that Pub/Sub withheld
 * anything: the conformance kit's native-filtering group checks that against real Pub/Sub.
 */
class PubSubNativeFilterTest {

    private static final SchemaRegistry SCHEMAS = SchemaRegistry.builtinCatalog();

    @Test
    void theSubscriptionCarriesTheTranslatedFilterAndDeliversExactlyWhatTheWholeFilterAccepts() throws Exception {
        String run = "filter-" + UUID.randomUUID().toString().substring(0, 8);
        PubSubOptions options = PubSubEmulator.options().withPrefix(run + "-");
        Filter filter = Filter.all(Filter.exact("type", "ci.pipeline.created"), Filter.prefix("subject", run + "/keep/"),
                Filter.suffix("subject", "/1")); // the suffix has no Pub/Sub form: the client applies it
        Set<String> received = ConcurrentHashMap.newKeySet();
        try (PubSubTransport transport = PubSubTransport.open(options);
             PubSubClients admin = new PubSubClients(options);
             EventStore store = EventStore.builder(transport, SCHEMAS).drainTimeout(Duration.ofSeconds(5)).build()) {
            assertThat(transport.capabilities()).as("the emulator does not apply filters")
                    .doesNotContain(Capability.NATIVE_FILTERING);
            store.subscribe("builds", event -> received.add(event.getId()),
                    SubscribeOptions.defaults().filter(filter).backoff(Duration.ofMillis(10), Duration.ofMillis(50)));

            String stored = admin.subscriptions().getSubscription(new Names(options.project(), options.prefix())
                    .subscription("builds")).getFilter();
            assertThat(stored).isEqualTo("attributes.ce-type = \"ci.pipeline.created\" AND "
                    + "hasPrefix(attributes.ce-subject, \"" + run + "/keep/\")");

            List<CloudEvent> events = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                String subject = run + (i % 3 == 0 ? "/drop/" : "/keep/") + (i % 2);
                events.add(i % 4 < 2 ? pipelineCreated(subject, i) : pipelineFinished(subject, i));
            }
            store.publish(events);
            List<String> expected = events.stream().filter(filter::matches).map(CloudEvent::getId).toList();
            assertThat(expected).isNotEmpty().hasSizeLessThan(events.size());
            await().atMost(Duration.ofSeconds(30)).until(() -> received.containsAll(expected));
            Thread.sleep(500); // stragglers that should not come
            assertThat(received).containsExactlyInAnyOrderElementsOf(expected);

            // Pub/Sub fixes a filter at creation: another one would withhold what it accepts, so it is refused.
            SubscriptionSpec other = transport.subscription("builds").orElseThrow()
                    .withFilter(new NativeFilter.Exact("type", "ci.pipeline.finished"));
            assertThatThrownBy(() -> transport.createSubscription(other)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("fixes a subscription's filter");
        }
    }

    @Test
    void aSubscriptionCreatedWithoutAFilterKeepsDeliveringEverythingWhenOneIsAskedFor() throws Exception {
        String run = "nofilter-" + UUID.randomUUID().toString().substring(0, 8);
        PubSubOptions options = PubSubEmulator.options().withPrefix(run + "-");
        try (PubSubTransport transport = PubSubTransport.open(options);
             PubSubClients admin = new PubSubClients(options)) {
            transport.createSubscription(SubscriptionSpec.of("plain", "events"));
            // Safe to keep: every message still comes, and the client filters.
            transport.createSubscription(SubscriptionSpec.of("plain", "events")
                    .withFilter(new NativeFilter.Exact("type", "ci.pipeline.created")));
            assertThat(admin.subscriptions().getSubscription(new Names(options.project(), options.prefix())
                    .subscription("plain")).getFilter()).isEmpty();
        }
    }

    private static CloudEvent pipelineCreated(String subject, int id) {
        return EventBuilder.create(SCHEMAS).type("ci.pipeline.created").source("/ci").subject(subject)
                .data(Map.of("pipeline_id", id)).build();
    }

    private static CloudEvent pipelineFinished(String subject, int id) {
        return EventBuilder.create(SCHEMAS).type("ci.pipeline.finished").source("/ci").subject(subject)
                .data(Map.of("pipeline_id", id, "status", "success")).build();
    }
}
