package dev.herald.example;

import static dev.herald.test.HeraldAssertions.assertThatEvents;
import static dev.herald.test.HeraldAssertions.assertThatEventsFrom;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.example.repository.Repositories.Commit;
import dev.herald.store.EventStore;
import dev.herald.test.HeraldExtension;
import io.cloudevents.CloudEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The whole app on one test store: what a push sets off, end to end, asserted on the events alone. */
@ExtendWith(HeraldExtension.class)
class GitLabLiteTest {

    private static final String PROJECT = "gid://gitlab/Project/392359";

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final EventStore store;
    private final GitLabLite app;

    GitLabLiteTest(EventStore store) {
        this.store = store;
        this.app = new GitLabLite(store, new PrintStream(printed, true, StandardCharsets.UTF_8));
    }

    @Test
    void aPushLeakingASecretIsReportedAndItsMergeRequestApproved() throws Exception {
        app.mergeRequests().open(7, "feature/login");

        CloudEvent push = app.push("req-1", "feature/login", List.of(
                new Commit("a".repeat(40), "Add .env", "Add .env", List.of("config/.env"), List.of())));

        assertThatEvents(store)
                .publishedCausalChain("repository.push", "ci.pipeline.finished", "vulnerabilities.new_finding")
                .publishedCausalChain("repository.push", "ci.pipeline.finished", "merge_requests.approved");
        CloudEvent finished = assertThatEvents(store).published("ci.pipeline.finished")
                .causedBy(push)
                .withDataContaining("{\"status\": \"success\", \"ref\": \"refs/heads/feature/login\"}")
                .event();
        assertThatEvents(store).published("vulnerabilities.new_finding")
                .causedBy(finished)
                .withProject(PROJECT)
                .withCorrelationId("req-1")
                .withDataContaining("{\"severity\": \"high\", \"title\": \"Secret committed in config/.env\"}")
                .once();
        assertThatEvents(store).published("merge_requests.approved")
                .causedBy(finished)
                .withAuthId("gid://gitlab/User/1")
                .withDataContaining("{\"merge_request_id\": 7}");
        assertThat(app.notifier().sent()).containsExactlyInAnyOrder(
                "[security] high: Secret committed in config/.env — https://gitlab.example.com/-/security/vulnerabilities/541",
                "[merge requests] !7 approved by the pipeline bot");
    }

    @Test
    void aFailingPipelineTriggersNoScanAndNoApproval() throws Exception {
        app.mergeRequests().open(8, "wip");

        assertThatEventsFrom(store, () -> app.push("req-2", "wip", List.of(
                new Commit("c".repeat(40), "WIP: secrets", "WIP", List.of("secret.txt"), List.of()))))
                .publishedTypes().containsExactly("repository.push", "ci.pipeline.created", "ci.pipeline.finished");

        assertThatEvents(store).published("ci.pipeline.finished").withDataContaining("{\"status\": \"failed\"}");
        assertThatEvents(store).didNotPublish("vulnerabilities.new_finding").didNotPublish("merge_requests.approved");
        assertThat(app.audit().causalTree("req-2")).containsExactly(
                "repository.push  refs/heads/wip",
                "  └─ ci.pipeline.created  gid://gitlab/Ci::Pipeline/1001",
                "  └─ ci.pipeline.finished  gid://gitlab/Ci::Pipeline/1001");
        assertThat(app.notifier().sent()).isEmpty();
    }

    @Test
    void theScenarioRunsOnTheEmbeddedStoreAndAgainOnTheSameData(@TempDir Path data) throws Exception {
        for (int run = 0; run < 2; run++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            GitLabLite.run(data, new PrintStream(out, true, StandardCharsets.UTF_8));

            assertThat(out.toString(StandardCharsets.UTF_8))
                    .contains("notify [security] high: Secret committed in config/.env")
                    .contains("notify [merge requests] !7 approved")
                    .contains("└─ vulnerabilities.new_finding");
        }
    }
}
