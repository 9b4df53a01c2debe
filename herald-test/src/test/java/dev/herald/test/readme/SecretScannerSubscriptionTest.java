package dev.herald.test.readme;

import static dev.herald.test.HeraldAssertions.assertThatSubscription;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.store.EventStore;
import dev.herald.test.Consumption;
import dev.herald.test.EventFixtures;
import dev.herald.test.HeraldExtension;
import dev.herald.test.PublishedEvents;
import dev.herald.test.Subscribers;
import dev.herald.test.readme.app.security.SecretScanner;
import io.cloudevents.CloudEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(HeraldExtension.class)
class SecretScannerSubscriptionTest {

    private static CloudEvent greenPipelineAdding(EventFixtures fixtures, String file) {
        return fixtures.event("ci.pipeline.finished", data -> {
            data.put("status", "success").putArray("commits").addObject()
                    .put("id", "b".repeat(40)).put("title", "Add config").putArray("added").add(file);
            return data;
        }).build();
    }

    @Test
    void theScannerReportsWhatOnePipelineAdded(EventStore store, EventFixtures fixtures) {
        new SecretScanner(store).start();
        CloudEvent green = greenPipelineAdding(fixtures, "deploy/.env");

        Consumption run = Subscribers.consume(store, "security.scan_green_pipelines", green);

        assertThat(run.published()).extracting(CloudEvent::getType).containsExactly("vulnerabilities.new_finding");
    }

    @Test
    void theScannerListensToGreenPipelinesOnly(EventStore store, EventFixtures fixtures) {
        new SecretScanner(store).start();

        assertThatSubscription(store, "security.scan_green_pipelines")
                .isSubscribedTo("ci.pipeline.finished")
                .isNotSubscribedTo("repository.push")
                .ignores(fixtures.event("ci.pipeline.finished", data -> data.put("status", "failed")).build());
    }

    @Test
    void theHandlerRunsOnTheTestsThread(EventStore store, EventFixtures fixtures) throws Exception {
        Subscribers.handle(new SecretScanner(store), greenPipelineAdding(fixtures, "deploy/.env"));

        assertThat(PublishedEvents.of(store).ofType("vulnerabilities.new_finding")).hasSize(1);
    }
}
