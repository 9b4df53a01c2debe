package dev.herald.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.dispatch.EventHandler;
import dev.herald.event.EventBuilder;
import dev.herald.event.HeraldAttributes;
import dev.herald.store.EventStore;
import dev.herald.store.SubscribeOptions;
import io.cloudevents.CloudEvent;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(HeraldExtension.class)
class SubscribersTest {

    private final EventStore store;
    private final EventFixtures fixtures;
    private final PipelineStarter starter;
    private final List<CloudEvent> audited = new CopyOnWriteArrayList<>();

    SubscribersTest(EventStore store, EventFixtures fixtures) {
        this.store = store;
        this.fixtures = fixtures;
        this.starter = new PipelineStarter(store).start();
        store.subscribe("audit.everything", audited::add, SubscribeOptions.defaults());
    }

    @Test
    void consumeRunsTheHandlerAndReturnsWhatItPublished() {
        CloudEvent push = fixtures.event("repository.push").project("gid://gitlab/Project/7").build();

        Consumption run = Subscribers.consume(store, PipelineStarter.SUBSCRIPTION, push);

        assertThat(run.outcome()).isEqualTo(Consumption.Outcome.HANDLED);
        assertThat(run.published()).singleElement().satisfies(created -> {
            assertThat(created.getType()).isEqualTo("ci.pipeline.created");
            assertThat(HeraldAttributes.causationId(created)).contains(push.getId());
            assertThat(HeraldAttributes.project(created)).contains("gid://gitlab/Project/7");
        });
    }

    @Test
    void theConsumedEventReachesOnlyThatSubscription() {
        CloudEvent push = fixtures.event("repository.push").build();

        Subscribers.consume(store, PipelineStarter.SUBSCRIPTION, push);
        PublishedEvents.of(store).awaitSettled(HeraldAssertions.SETTLE_TIMEOUT);

        assertThat(audited).extracting(CloudEvent::getType).containsExactly("ci.pipeline.created");
        assertThat(PublishedEvents.of(store).all()).extracting(CloudEvent::getType)
                .containsExactly("ci.pipeline.created");
    }

    @Test
    void anEventTheFilterRejectsFailsConsumeAndIsReportedByDeliver() {
        CloudEvent branchDeleted = fixtures.event("repository.push", data -> data.put("after", "0".repeat(40))).build();

        assertThatThrownBy(() -> Subscribers.consume(store, PipelineStarter.SUBSCRIPTION, branchDeleted))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("subscription " + PipelineStarter.SUBSCRIPTION + " did not take repository.push")
                .hasMessageContaining("its filter rejects it");
        assertThat(Subscribers.deliver(store, PipelineStarter.SUBSCRIPTION, branchDeleted).outcome())
                .isEqualTo(Consumption.Outcome.FILTERED);
    }

    @Test
    void aFailingHandlerFailsConsumeWithItsStackTraceAndDeadLettersNothing() {
        starter.failing = true;
        CloudEvent push = fixtures.event("repository.push").build();

        assertThatThrownBy(() -> Subscribers.consume(store, PipelineStarter.SUBSCRIPTION, push))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("the handler of subscription " + PipelineStarter.SUBSCRIPTION + " failed on")
                .hasMessageContaining("java.lang.IllegalStateException: the CI runner is down")
                .hasMessageContaining("PipelineStarter.onPush");
        Consumption run = Subscribers.deliver(store, PipelineStarter.SUBSCRIPTION, push);
        assertThat(run.outcome()).isEqualTo(Consumption.Outcome.FAILED);
        assertThat(run.failure()).hasValueSatisfying(trace -> assertThat(trace).contains("the CI runner is down"));
        assertThat(store.deadLetters(PipelineStarter.SUBSCRIPTION).count()).isZero();
    }

    @Test
    void anInvalidEventIsRefusedBeforeAnyHandlerRuns() {
        CloudEvent missingData = fixtures.event("repository.push").data(Map.of("ref", "refs/heads/main")).build();

        assertThatThrownBy(() -> Subscribers.consume(store, PipelineStarter.SUBSCRIPTION, missingData))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("is not a valid event, so Herald would never deliver it")
                .hasMessageContaining("data/before: required: property 'before' is missing");
    }

    @Test
    void anUnknownOrPausedSubscriptionIsNamed() {
        CloudEvent push = fixtures.event("repository.push").build();

        assertThatThrownBy(() -> Subscribers.consume(store, "ci.nope", push))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("no subscription named ci.nope runs in this store; subscribed so far: ["
                        + PipelineStarter.SUBSCRIPTION + ", audit.everything]");
        store.subscription(PipelineStarter.SUBSCRIPTION).orElseThrow().pause();
        assertThatThrownBy(() -> Subscribers.consume(store, PipelineStarter.SUBSCRIPTION, push))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("is paused");
    }

    @Test
    void handleRunsAHandlerObjectInsideTheEventsProvenance() throws Exception {
        CloudEvent push = fixtures.event("repository.push").build();
        EventHandler announcer = event -> store.publish(EventBuilder.create(store.schemas())
                .type("ci.pipeline.created").source("/ci").data(Map.of("pipeline_id", 1)).build());

        Subscribers.handle(announcer, push);

        assertThat(HeraldAttributes.causationId(PublishedEvents.of(store).all().getFirst())).contains(push.getId());
        EventHandler broken = event -> {
            throw new IllegalArgumentException("bad input");
        };
        assertThatThrownBy(() -> Subscribers.handle(broken, push))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("bad input");
    }
}
