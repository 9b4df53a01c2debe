package dev.herald.server.subscriptions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cloudevents.CloudEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Who may create and see which subscriptions, and what a project-restricted token's subscriptions receive. */
class SubscriptionScopeTest {

    static final String P1 = "gid://gitlab/Project/1";
    static final String P2 = "gid://gitlab/Project/2";

    @TempDir
    Path dir;

    private Sink sink;
    private TestServer server;

    @BeforeEach
    void start() {
        sink = new Sink();
        server = new TestServer(dir, TestServer.settings().build());
        server.token("ci", TestPrincipal.subscriber("tok_ci", "ci.*"))
                .token("pipelines", TestPrincipal.subscriber("tok_pipelines", "ci.pipeline.*"))
                .token("everything", TestPrincipal.subscriber("tok_everything", "*"))
                .token("push", TestPrincipal.subscriber("tok_push", "repository.*"))
                .token("publisher", new TestPrincipal("tok_pub", false, List.of(), List.of("*"),
                        java.util.Optional.empty()))
                .token("ci-p1", TestPrincipal.subscriber("tok_ci_p1", "ci.*").inProject(P1))
                .token("ci-p2", TestPrincipal.subscriber("tok_ci_p2", "ci.*").inProject(P2));
    }

    @AfterEach
    void stop() {
        server.close();
        sink.close();
    }

    static Stream<Arguments> creates() {
        return Stream.of(
                // token, types, expected status
                Arguments.of("ci", List.of("ci.pipeline.created"), 201),
                Arguments.of("ci", List.of("ci.pipeline.created", "ci.pipeline.finished"), 201),
                Arguments.of("ci", List.of("ci.*"), 201),
                Arguments.of("ci", List.of("repository.push"), 403),
                Arguments.of("ci", List.of("ci.pipeline.created", "repository.push"), 403),
                Arguments.of("ci", List.of(), 403),
                Arguments.of("pipelines", List.of("ci.pipeline.finished"), 201),
                Arguments.of("pipelines", List.of("ci.*"), 403),
                Arguments.of("everything", List.of("*"), 201),
                Arguments.of("everything", List.of(), 403),
                Arguments.of("publisher", List.of("ci.pipeline.created"), 403),
                Arguments.of("ci-p1", List.of("ci.*"), 201),
                Arguments.of("ci-p1", List.of("repository.push"), 403),
                Arguments.of(TestServer.ADMIN, List.of(), 201));
    }

    @ParameterizedTest(name = "{0} creates {1} -> {2}")
    @MethodSource("creates")
    void whoMayCreateWhat(String token, List<String> types, int expected) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("types", types);
        body.put("sink", SubscriptionApiTest.PUBLIC_SINK);

        Api.Response response = server.api(token).post("/v1/subscriptions", body);

        assertThat(response.status()).as("%s", response).isEqualTo(expected);
        if (expected == 403) {
            assertThat(response.body().path("detail").asText()).isNotBlank();
        }
    }

    static Stream<Arguments> visibility() {
        return Stream.of(
                // token, the subscriptions it sees (of: created, push, everything, p1)
                Arguments.of(TestServer.ADMIN, List.of("created", "everything", "p1", "push")),
                Arguments.of("ci", List.of("created", "p1")),
                Arguments.of("pipelines", List.of("created")),
                Arguments.of("push", List.of("push")),
                Arguments.of("everything", List.of("created", "p1", "push")),
                Arguments.of("ci-p1", List.of("p1")),
                Arguments.of("ci-p2", List.of()),
                Arguments.of("publisher", List.of()));
    }

    @ParameterizedTest(name = "{0} sees {1}")
    @MethodSource("visibility")
    void whoSeesWhat(String token, List<String> visible) {
        Api admin = server.admin();
        admin.post("/v1/subscriptions", Map.of("id", "created", "types", List.of("ci.pipeline.created"),
                "sink", SubscriptionApiTest.PUBLIC_SINK));
        admin.post("/v1/subscriptions", Map.of("id", "push", "types", List.of("repository.push"),
                "sink", SubscriptionApiTest.PUBLIC_SINK));
        admin.post("/v1/subscriptions", Map.of("id", "everything", "sink", SubscriptionApiTest.PUBLIC_SINK));
        assertThat(server.api("ci-p1").post("/v1/subscriptions", Map.of("id", "p1", "types", List.of("ci.*"),
                "sink", SubscriptionApiTest.PUBLIC_SINK)).status()).isEqualTo(201);
        Api api = server.api(token);

        List<String> listed = new ArrayList<>();
        api.get("/v1/subscriptions").body().path("items").forEach(item -> listed.add(item.path("id").asText()));

        assertThat(listed).containsExactlyElementsOf(visible);
        for (String id : List.of("created", "push", "everything", "p1")) {
            int expected = visible.contains(id) ? 200 : 404;
            boolean owner = token.equals(TestServer.ADMIN) || (token.equals("ci-p1") && id.equals("p1"));
            int operate = !visible.contains(id) ? 404 : owner ? 200 : 403;
            assertThat(api.get("/v1/subscriptions/" + id).status()).as("GET %s", id).isEqualTo(expected);
            assertThat(api.post("/v1/subscriptions/" + id + "/pause", null).status()).as("pause %s", id)
                    .isEqualTo(operate);
            assertThat(api.get("/v1/subscriptions/" + id + "/dead-letters").status()).as("dead letters of %s", id)
                    .isEqualTo(operate);
        }
    }

    @Test
    void aProjectRestrictedTokensSubscriptionReceivesOnlyItsProjectsEvents() {
        Api.Response created = server.api("ci-p1").post("/v1/subscriptions", Map.of(
                "types", List.of("ci.*"), "sink", sink.url()));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.text("project")).isEqualTo(P1);

        server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED, P2));
        server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED));
        CloudEvent mine = server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED, P1));
        server.publish(TestEvents.of(TestEvents.PUSH, P1));

        assertThat(sink.next().header("ce-id")).isEqualTo(mine.getId());
        sink.expectNothing(Duration.ofMillis(500));
    }

    @Test
    void aRestrictedTokenCannotWidenItsSubscriptionByUpdating() {
        String id = server.api("ci-p1").post("/v1/subscriptions", Map.of("types", List.of("ci.*"),
                "sink", SubscriptionApiTest.PUBLIC_SINK)).text("id");

        Api.Response widened = server.api("ci-p1").patch("/v1/subscriptions/" + id,
                Map.of("types", List.of("repository.push")));
        assertThat(widened.status()).isEqualTo(403);
        Api.Response emptied = server.api("ci-p1").patch("/v1/subscriptions/" + id, Map.of("types", List.of()));
        assertThat(emptied.status()).isEqualTo(403);
        JsonNode unchanged = server.admin().get("/v1/subscriptions/" + id).body();
        assertThat(unchanged.path("types").get(0).asText()).isEqualTo("ci.*");
        assertThat(unchanged.path("project").asText()).isEqualTo(P1);
    }
}
