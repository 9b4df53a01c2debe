package dev.herald.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.event.HeraldAttributes;
import dev.herald.example.repository.Repositories.Commit;
import dev.herald.schema.SchemaRegistry;
import dev.herald.store.EventStore;
import dev.herald.transport.memory.InMemoryTransport;
import io.cloudevents.CloudEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitLabLiteTest {

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final GitLabLite app = new GitLabLite(
            EventStore.builder(new InMemoryTransport(), SchemaRegistry.builtinCatalog()).build(),
            new PrintStream(printed, true, StandardCharsets.UTF_8));

    @AfterEach
    void close() {
        app.close();
    }

    private List<CloudEvent> recorded(String type) {
        return app.audit().recorded().stream().filter(e -> e.getType().equals(type)).toList();
    }

    @Test
    void aPushLeakingASecretIsReportedAndItsMergeRequestApproved() throws Exception {
        app.mergeRequests().open(7, "feature/login");

        CloudEvent push = app.push("req-1", "feature/login", List.of(
                new Commit("a".repeat(40), "Add .env", "Add .env", List.of("config/.env"), List.of())));

        await().until(() -> app.notifier().sent().size() == 2);
        assertThat(app.notifier().sent()).containsExactlyInAnyOrder(
                "[security] high: Secret committed in config/.env — https://gitlab.example.com/-/security/vulnerabilities/541",
                "[merge requests] !7 approved by the pipeline bot");
        CloudEvent finished = recorded("ci.pipeline.finished").getFirst();
        assertThat(HeraldAttributes.causationId(finished)).contains(push.getId());
        CloudEvent finding = recorded("vulnerabilities.new_finding").getFirst();
        assertThat(HeraldAttributes.causationId(finding)).contains(finished.getId());
        assertThat(HeraldAttributes.correlationId(finding)).contains("req-1");
        assertThat(HeraldAttributes.project(finding)).contains("gid://gitlab/Project/392359");
    }

    @Test
    void aFailingPipelineTriggersNoScanAndNoApproval() throws Exception {
        app.mergeRequests().open(8, "wip");

        app.push("req-2", "wip", List.of(new Commit("c".repeat(40), "WIP: secrets", "WIP", List.of("secret.txt"),
                List.of())));

        await().until(() -> recorded("ci.pipeline.finished").size() == 1);
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
