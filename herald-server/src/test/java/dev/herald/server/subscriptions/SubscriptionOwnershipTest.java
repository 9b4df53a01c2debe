package dev.herald.server.subscriptions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A subscription belongs to the token that created it: another token whose scope covers it may read
 * it (never a secret or a header value) but not change or operate it, and credential headers never
 * follow the sink to another origin.
 */
class SubscriptionOwnershipTest {

    private static final String TOKEN_HEADER = "X-Gitlab-Event-Streaming-Token";
    private static final String OTHER_ORIGIN = "https://93.184.216.35/steal";

    @TempDir
    Path dir;

    private TestServer server;

    @BeforeEach
    void start() {
        server = new TestServer(dir, TestServer.settings().build());
        server.token("ci", TestPrincipal.subscriber("tok_ci", "ci.*"))
                .token("ci-owner", TestPrincipal.subscriber("tok_ci_owner", "ci.*"));
        assertThat(server.admin().post("/v1/subscriptions", Map.of("id", "audit", "types", List.of("ci.*"),
                "sink", SubscriptionApiTest.PUBLIC_SINK, "protocolsettings", Map.of("headers",
                        Map.of(TOKEN_HEADER, "s3cr3t-streaming-token", "X-Team", "platform")))).status())
                .isEqualTo(201);
        assertThat(server.admin().post("/v1/subscriptions", Map.of("id", "audit-pull", "types", List.of("ci.*"),
                "protocol", "PULL")).status()).isEqualTo(201);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void anotherCoveringTokenCannotTakeOverTheAdminsSubscription() {
        Api ci = server.api("ci");
        String one = "/v1/subscriptions/audit";

        assertThat(ci.patch(one, Map.of("sink", OTHER_ORIGIN)).status()).isEqualTo(403);
        assertThat(ci.put(one, Map.of("types", List.of("ci.*"), "sink", OTHER_ORIGIN)).status()).isEqualTo(403);
        Api.Response rotated = ci.post(one + "/rotate-secret", null);
        assertThat(rotated.status()).isEqualTo(403);
        assertThat(rotated.body().has("secret")).isFalse();
        for (String action : List.of("pause", "resume", "enable")) {
            assertThat(ci.post(one + "/" + action, null).status()).as(action).isEqualTo(403);
        }
        assertThat(ci.post(one + "/seek", Map.of("to", "earliest")).status()).isEqualTo(403);
        assertThat(ci.get(one + "/dead-letters").status()).isEqualTo(403);
        assertThat(ci.post(one + "/dead-letters/redrive", Map.of("all", true)).status()).isEqualTo(403);
        assertThat(ci.post(one + "/dead-letters/discard", Map.of("all", true)).status()).isEqualTo(403);
        assertThat(ci.get("/v1/subscriptions/audit-pull/stream").status()).isEqualTo(403);
        assertThat(ci.post("/v1/subscriptions/audit-pull/acks", Map.of("ids", List.of("x"))).status())
                .isEqualTo(403);
        assertThat(ci.post("/v1/subscriptions/audit-pull/nacks", Map.of("ids", List.of("x"))).status())
                .isEqualTo(403);
        assertThat(ci.delete(one).status()).isEqualTo(403);

        JsonNode unchanged = server.admin().get(one).body();
        assertThat(unchanged.path("sink").asText()).isEqualTo(SubscriptionApiTest.PUBLIC_SINK);
        assertThat(unchanged.path("status").asText()).isEqualTo("active");
        assertThat(unchanged.has("secretRotation")).isFalse();
    }

    @Test
    void anotherCoveringTokenReadsItWithoutAnyHeaderValueOrSecret() {
        Api.Response read = server.api("ci").get("/v1/subscriptions/audit");

        assertThat(read.status()).isEqualTo(200);
        JsonNode headers = read.body().path("protocolsettings").path("headers");
        assertThat(headers.path(TOKEN_HEADER).asText()).isEqualTo("<redacted>");
        assertThat(headers.path("X-Team").asText()).isEqualTo("<redacted>");
        assertThat(read.body().has("secret")).isFalse();
        assertThat(read.body().path("createdBy").asText()).isEqualTo("tok_admin");
        JsonNode listed = server.api("ci").get("/v1/subscriptions").body().path("items").get(0);
        assertThat(listed.path("protocolsettings").path("headers").path("X-Team").asText()).isEqualTo("<redacted>");
        assertThat(server.admin().get("/v1/subscriptions/audit").body().path("protocolsettings").path("headers")
                .path("X-Team").asText()).isEqualTo("platform");
    }

    @Test
    void theOwnerOperatesItsOwnSubscription() {
        Api owner = server.api("ci-owner");
        assertThat(owner.post("/v1/subscriptions", Map.of("id", "mine", "types", List.of("ci.pipeline.*"),
                "sink", SubscriptionApiTest.PUBLIC_SINK)).status()).isEqualTo(201);

        assertThat(owner.post("/v1/subscriptions/mine/pause", null).status()).isEqualTo(200);
        assertThat(owner.post("/v1/subscriptions/mine/rotate-secret", null).body().path("secret").asText())
                .startsWith("whsec_");
        assertThat(server.api("ci").post("/v1/subscriptions/mine/resume", null).status()).isEqualTo(403);
        assertThat(server.admin().post("/v1/subscriptions/mine/resume", null).status()).isEqualTo(200);
        assertThat(owner.delete("/v1/subscriptions/mine").status()).isEqualTo(204);
    }

    @Test
    void credentialHeadersNeverFollowTheSinkToAnotherOrigin() {
        Api admin = server.admin();
        String one = "/v1/subscriptions/audit";

        Api.Response moved = admin.patch(one, Map.of("sink", OTHER_ORIGIN));

        assertThat(moved.status()).as("%s", moved).isEqualTo(400);
        assertThat(moved.body().path("violations").get(0).path("where").asText())
                .isEqualTo("protocolsettings.headers." + TOKEN_HEADER);
        assertThat(admin.get(one).body().path("sink").asText()).isEqualTo(SubscriptionApiTest.PUBLIC_SINK);

        Api.Response samePlace = admin.patch(one, Map.of("sink", SubscriptionApiTest.PUBLIC_SINK + "/v2"));
        assertThat(samePlace.status()).as("same origin keeps the stored value: %s", samePlace).isEqualTo(200);

        Api.Response givenAgain = admin.patch(one, Map.of("sink", OTHER_ORIGIN, "protocolsettings",
                Map.of("headers", Map.of(TOKEN_HEADER, "a-token-for-the-new-sink", "X-Team", "platform"))));
        assertThat(givenAgain.status()).as("%s", givenAgain).isEqualTo(200);
        assertThat(givenAgain.body().path("sink").asText()).isEqualTo(OTHER_ORIGIN);
    }
}
