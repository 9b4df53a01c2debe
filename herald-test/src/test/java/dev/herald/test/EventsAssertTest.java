package dev.herald.test;

import static dev.herald.test.HeraldAssertions.assertThatEvents;
import static dev.herald.test.HeraldAssertions.assertThatEventsFrom;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.event.EventBuilder;
import dev.herald.event.InvalidEventException;
import dev.herald.store.EventStore;
import io.cloudevents.CloudEvent;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(HeraldExtension.class)
class EventsAssertTest {

    private static final String PROJECT = "gid://gitlab/Project/7";

    private final EventStore store;
    private final EventFixtures fixtures;

    EventsAssertTest(EventStore store, EventFixtures fixtures) {
        this.store = store;
        this.fixtures = fixtures;
        new PipelineStarter(store).start();
    }

    private CloudEvent push() {
        return store.publish(fixtures.event("repository.push").project(PROJECT).build());
    }

    @Test
    void publishedNarrowsByAttributesDataAndCause() {
        CloudEvent push = push();

        CloudEvent created = assertThatEvents(store).published("ci.pipeline.created")
                .withProject(PROJECT)
                .withSource("https://ci.example.com")
                .withSubject("gid://gitlab/Ci::Pipeline/101")
                .withData("{\"pipeline_id\": 101}")
                .withDataContaining("{}")
                .withData("an id above 100", data -> data.path("pipeline_id").asInt() > 100)
                .withDataSatisfying(data -> assertThat(data.path("pipeline_id").asInt()).isOdd())
                .causedBy(push)
                .once()
                .event();
        assertThatEvents(store).published("repository.push").withAuthType(EventFixtures.AUTHTYPE)
                .withAttribute("project", PROJECT);
        assertThat(created.getId()).isNotEqualTo(push.getId());
    }

    @Test
    void anAssertionWaitsForTheHandlersBeforeItLooks() {
        push();

        assertThatEvents(store).publishedTypes().containsExactly("repository.push", "ci.pipeline.created");
    }

    @Test
    void aMissingTypeIsReportedWithWhatWasPublishedAndRefused() {
        push();
        CloudEvent typo = EventBuilder.create().type("ci.pipline.finished").source("/ci").data(Map.of()).build();
        assertThatThrownBy(() -> store.publish(typo)).isInstanceOf(InvalidEventException.class);

        assertThatThrownBy(() -> assertThatEvents(store).published("ci.pipeline.finished"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Expected an event of type ci.pipeline.finished to be published, but none was.")
                .hasMessageContaining("Published: repository.push ")
                .hasMessageContaining(", ci.pipeline.created ")
                .hasMessageContaining("Refused publishes:\n  - ci.pipline.finished " + typo.getId()
                        + ": type: no schema is registered for this type");
        assertThatEvents(store).refused("ci.pipline.finished");
    }

    @Test
    void aNarrowingThatMatchesNothingShowsEachCandidate() {
        push();

        assertThatThrownBy(() -> assertThatEvents(store).published("ci.pipeline.created")
                .withProject(PROJECT).withDataContaining("{\"pipeline_id\": 7}"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Expected an event of type ci.pipeline.created with project " + PROJECT
                        + " with data containing {\"pipeline_id\":7}, but none of the 1 event(s)")
                .hasMessageContaining(": {\"pipeline_id\":101}");
        assertThatThrownBy(() -> assertThatEvents(store).published("repository.push").times(2))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("to be published 2 time(s), but it was 1 time(s)");
        assertThatThrownBy(() -> assertThatEvents(store).published("ci.pipeline.created")
                .withDataSatisfying(data -> assertThat(data.path("pipeline_id").asInt()).isEven()))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("{\"pipeline_id\":101} — ");
    }

    @Test
    void dataMatchesExactlyOrByContainment() {
        store.publish(fixtures.event("ci.pipeline.finished", data -> data.put("status", "failed")).build());

        assertThatEvents(store).published("ci.pipeline.finished")
                .withDataContaining("{\"status\": \"failed\", \"commits\": [{\"id\": \"da1560886d4f094c3e6c9ef40349f7d38b5d27d7\"}]}")
                .withDataContaining("{\"duration_seconds\": 93.50}");
        assertThatThrownBy(() -> assertThatEvents(store).published("ci.pipeline.finished")
                .withData("{\"status\": \"failed\"}"))
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void nothingAndNotOfAType() {
        assertThatEvents(store).publishedNothing();

        push();

        assertThatEvents(store).didNotPublish("ci.pipeline.finished");
        assertThatThrownBy(() -> assertThatEvents(store).publishedNothing())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Expected no event to be published, but 2 was/were.");
        assertThatThrownBy(() -> assertThatEvents(store).didNotPublish("ci.pipeline.created"))
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void orderAndCausation() {
        push();
        push();

        assertThatEvents(store)
                .publishedInOrder("repository.push", "ci.pipeline.created")
                .publishedCausalChain("repository.push", "ci.pipeline.created");
        assertThatThrownBy(() -> assertThatEvents(store).publishedInOrder("ci.pipeline.created", "ci.pipeline.finished"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("after [ci.pipeline.created] no ci.pipeline.finished followed");
        assertThatThrownBy(() -> assertThatEvents(store)
                .publishedCausalChain("repository.push", "ci.pipeline.created", "ci.pipeline.finished"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("the longest chain found is repository.push ")
                .hasMessageContaining("and no ci.pipeline.finished was caused by its last event");
    }

    @Test
    void fromCountsOnlyWhatTheActionSetOff() {
        push();

        assertThatEventsFrom(store, this::push)
                .publishedTypes().containsExactly("repository.push", "ci.pipeline.created");
        assertThatEventsFrom(store, () -> { }).publishedNothing();
    }

    @Test
    void anExpectedRefusalIsDeclaredAndTheTestStillPasses() {
        assertThatThrownBy(() -> assertThatEvents(store).refused("ci.pipline.created"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Expected a publish of type ci.pipline.created to be refused, but none was.");
        CloudEvent typo = EventBuilder.create().type("ci.pipline.created").source("/ci").data(Map.of()).build();

        assertThatThrownBy(() -> store.publish(typo)).isInstanceOf(InvalidEventException.class);

        assertThatEvents(store).refused("ci.pipline.created"); // without it, HeraldExtension fails this test
        assertThat(PublishedEvents.of(store).unexpectedRefusals()).isEmpty();
    }
}
