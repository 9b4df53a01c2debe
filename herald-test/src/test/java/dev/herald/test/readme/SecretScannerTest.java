package dev.herald.test.readme;

import static dev.herald.test.HeraldAssertions.assertThatEvents;
import static dev.herald.test.HeraldAssertions.assertThatEventsFrom;

import dev.herald.store.EventStore;
import dev.herald.test.HeraldExtension;
import dev.herald.test.readme.app.ci.Pipelines;
import dev.herald.test.readme.app.security.SecretScanner;
import io.cloudevents.CloudEvent;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(HeraldExtension.class)
class SecretScannerTest {

    @Test
    void aGreenPipelineThatAddedASecretIsReported(EventStore store) {
        new SecretScanner(store).start();

        CloudEvent green = new Pipelines(store).finish(7, "success", List.of("config/.env"));

        assertThatEvents(store).published("vulnerabilities.new_finding")
                .causedBy(green)
                .withProject("gid://gitlab/Project/1")
                .withDataContaining("{\"severity\": \"high\", \"title\": \"Secret committed in config/.env\"}")
                .once();
    }

    @Test
    void aFailedPipelineIsNotScanned(EventStore store) {
        new SecretScanner(store).start();

        assertThatEventsFrom(store, () -> new Pipelines(store).finish(8, "failed", List.of("config/.env")))
                .publishedTypes().containsExactly("ci.pipeline.finished");
    }

    @Test
    void findingsComeOutOfPipelines(EventStore store) {
        new SecretScanner(store).start();
        Pipelines pipelines = new Pipelines(store);

        pipelines.finish(9, "success", List.of("README.md"));
        pipelines.finish(10, "success", List.of("deploy/.env"));

        assertThatEvents(store)
                .publishedInOrder("ci.pipeline.finished", "ci.pipeline.finished")
                .publishedCausalChain("ci.pipeline.finished", "vulnerabilities.new_finding");
        assertThatEvents(store).published("vulnerabilities.new_finding").once();
    }
}
