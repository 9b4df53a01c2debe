package dev.herald.test;

import static dev.herald.test.HeraldAssertions.assertThatSubscription;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.event.EventData;
import dev.herald.filter.Filter;
import dev.herald.store.EventStore;
import dev.herald.store.SubscribeOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(HeraldExtension.class)
class SubscriptionAssertTest {

    private final EventStore store;
    private final EventFixtures fixtures;

    SubscriptionAssertTest(EventStore store, EventFixtures fixtures) {
        this.store = store;
        this.fixtures = fixtures;
        new PipelineStarter(store).start();
        store.subscribe("notifications.tell_people", event -> { },
                SubscribeOptions.forTypes("vulnerabilities.new_finding", "merge_requests.approved").topic("events"));
        store.subscribe("security.scan_green_pipelines", event -> { }, SubscribeOptions.forTypes("ci.pipeline.finished")
                .where(e -> EventData.json(e).orElseThrow().path("status").asText().equals("success")));
    }

    @Test
    void aSubscriptionIsWiredToTheTypesItsFilterAccepts() {
        assertThatSubscription(store, PipelineStarter.SUBSCRIPTION)
                .isSubscribedTo("repository.push")
                .isNotSubscribedTo("ci.pipeline.created")
                .isOrderedByKey()
                .hasMaxAttempts(3)
                .readsTopic("events");
        assertThatSubscription(store, "security.scan_green_pipelines")
                .isSubscribedTo("ci.pipeline.finished")
                .accepts(fixtures.event("ci.pipeline.finished", data -> data.put("status", "success")).build())
                .ignores(fixtures.event("ci.pipeline.finished", data -> data.put("status", "failed")).build());
    }

    @Test
    void aFilterIsComparedByItsSubscriptionsApiForm() {
        assertThatSubscription(store, "notifications.tell_people").hasFilter(Filter.any(
                Filter.exact("type", "vulnerabilities.new_finding"), Filter.exact("type", "merge_requests.approved")));
        assertThatThrownBy(() -> assertThatSubscription(store, "notifications.tell_people")
                .hasFilter(Filter.exact("type", "merge_requests.approved")))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("to have the filter {\"exact\":{\"type\":\"merge_requests.approved\"}}, but it has "
                        + "{\"any\":[");
        assertThatThrownBy(() -> assertThatSubscription(store, "security.scan_green_pipelines")
                .hasFilter(Filter.exact("type", "ci.pipeline.finished")))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("but it has (with a Java predicate, which has no JSON form)");
    }

    @Test
    void aWiringThatDoesNotHoldSaysWhatTheFilterIs() {
        assertThatThrownBy(() -> assertThatSubscription(store, "notifications.tell_people")
                .isSubscribedTo("repository.push"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Expected subscription notifications.tell_people to receive events of type "
                        + "repository.push, but its filter {\"any\":[")
                .hasMessageContaining("rejects all 1 example event(s) of that type");
        assertThatThrownBy(() -> assertThatSubscription(store, PipelineStarter.SUBSCRIPTION)
                .isNotSubscribedTo("repository.push"))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> assertThatSubscription(store, "notifications.tell_people").isOrderedByKey())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("to be ordered by key");
        assertThatThrownBy(() -> assertThatSubscription(store, "ci.nope"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("no subscription named ci.nope runs in this store; subscribed so far: [");
    }
}
