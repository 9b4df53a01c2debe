package dev.herald.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.event.EventBuilder;
import dev.herald.event.HeraldAttributes;
import dev.herald.event.InvalidEventException;
import dev.herald.schema.SchemaRegistry;
import dev.herald.store.EventStore;
import dev.herald.store.SubscribeOptions;
import dev.herald.transport.memory.InMemoryTransport;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PublishedEventsTest {

    private final EventStore store = TestEventStore.create(SchemaRegistry.builtinCatalog());
    private final EventFixtures fixtures = EventFixtures.of(store);
    private final PublishedEvents published = PublishedEvents.of(store);

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void recordsWhatTheStoreStoredInPublishOrder() {
        CloudEvent push = store.publish(fixtures.event("repository.push").build());
        CloudEvent created = store.publish(fixtures.event("ci.pipeline.created").build());

        assertThat(published.all()).containsExactly(push, created);
        assertThat(published.ofType("ci.pipeline.created")).containsExactly(created);
        assertThat(published.since(1)).containsExactly(created);
        assertThat(published.refused()).isEmpty();
    }

    @Test
    void recordsARefusedPublishWithTheReasons() {
        CloudEvent typo = EventBuilder.create().type("ci.pipline.created").source("/ci").data(Map.of()).build();

        assertThatThrownBy(() -> store.publish(typo)).isInstanceOf(InvalidEventException.class);

        assertThat(published.all()).isEmpty();
        assertThat(published.refused()).singleElement().satisfies(refused -> {
            assertThat(refused.type()).isEqualTo("ci.pipline.created");
            assertThat(refused.describe()).contains("type: no schema is registered for this type");
        });
    }

    /** Relies on the store routing an event before validating it; this test fails if that ever changes. */
    @Test
    void seesAPublishRefusedInsideAHandler() {
        PipelineStarter starter = new PipelineStarter(store).start();
        starter.publishing = "ci.pipline.created";

        CloudEvent push = store.publish(fixtures.event("repository.push").build());

        await().until(() -> !published.refused().isEmpty());
        RefusedPublish refused = published.refused().getFirst();
        assertThat(refused.type()).isEqualTo("ci.pipline.created");
        assertThat(HeraldAttributes.causationId(refused.event())).contains(push.getId());
        await().until(() -> !published.handlerFailures().isEmpty());
        assertThat(published.handlerFailures().getFirst().describe())
                .startsWith(PipelineStarter.SUBSCRIPTION + " failed on repository.push " + push.getId());
    }

    @Test
    void settlingWaitsForHandlersAndTheirEvents() {
        new PipelineStarter(store).start();

        store.publish(fixtures.event("repository.push").build());
        published.awaitSettled(Duration.ofSeconds(10));

        assertThat(published.all()).extracting(CloudEvent::getType)
                .containsExactly("repository.push", "ci.pipeline.created");
    }

    @Test
    void aStoreThatDoesNotSettleNamesTheBusySubscription() {
        new PipelineStarter(store).start().failing = true;

        store.publish(fixtures.event("repository.push").build());

        assertThatThrownBy(() -> published.awaitSettled(Duration.ofMillis(300)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("did not settle within PT0.3S: " + PipelineStarter.SUBSCRIPTION
                        + " has 1 event(s) to handle");
    }

    @Test
    void aStoreNotMadeForTestsRecordsNothing() {
        try (EventStore plain = EventStore.builder(new InMemoryTransport(), SchemaRegistry.builtinCatalog()).build()) {
            assertThatThrownBy(() -> PublishedEvents.of(plain))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("TestEventStore.create");
        }
    }
}
