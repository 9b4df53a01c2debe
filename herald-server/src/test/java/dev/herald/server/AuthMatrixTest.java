package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.event.JsonEvents;
import io.cloudevents.CloudEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Who may do what: every route against tokens with {@code admin}, {@code publish:ci.*},
 * {@code subscribe:*}, {@code metrics} and a project-restricted {@code publish:* subscribe:*} token, plus no
 * token and a bad one. Each row is one request and the status it must get.
 */
class AuthMatrixTest {

    static final String P = "gid://gitlab/Project/1";
    static final String Q = "gid://gitlab/Project/2";

    @TempDir
    static Path dir;
    static Harness h;
    static Map<String, String> tokens;

    @BeforeAll
    static void start() {
        // Bad tokens are part of the matrix: throttling failed authentications is RateLimitTest's subject.
        h = Harness.start(dir, Map.of("auth.failure-rate-limit", "0"));
        tokens = Map.of(
                "admin", h.adminToken,
                "publisher", h.createToken("ci", List.of("publish:ci.*"), null),
                "subscriber", h.createToken("reader", List.of("subscribe:*"), null),
                "restricted", h.createToken("project one", List.of("publish:*", "subscribe:*"), P),
                "metrics", h.createToken("prometheus", List.of("metrics"), null),
                "none", "",
                "bad", "hrld_aaaaaaaaaaaa_notavalidsecretnotavalidsecretnotavalidsecr");
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    /** A request and what each token must get. */
    record Case(String name, Function<String, Harness.Response> request, Map<String, Integer> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Harness.Response publish(String token, CloudEvent event) {
        return h.send("POST", "/v1/events", token, JsonEvents.STRUCTURED, JsonEvents.write(event));
    }

    static final String SCHEMA = "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}}}";

    static Stream<Arguments> matrix() {
        List<Case> cases = List.of(
                new Case("POST /v1/events ci.pipeline.created project P",
                        t -> publish(t, Harness.pipeline(1, P)),
                        Map.of("admin", 202, "publisher", 202, "subscriber", 403, "restricted", 202, "none", 401, "metrics", 403, "bad", 401)),
                new Case("POST /v1/events repository.push project P",
                        t -> publish(t, Harness.push(P)),
                        Map.of("admin", 202, "publisher", 403, "subscriber", 403, "restricted", 202, "none", 401, "metrics", 403, "bad", 401)),
                new Case("POST /v1/events ci.pipeline.created project Q",
                        t -> publish(t, Harness.pipeline(2, Q)),
                        Map.of("admin", 202, "publisher", 202, "subscriber", 403, "restricted", 403, "none", 401, "metrics", 403, "bad", 401)),
                new Case("POST /v1/events ci.pipeline.created without project",
                        t -> publish(t, Harness.pipeline(3, null)),
                        Map.of("admin", 202, "publisher", 202, "subscriber", 403, "restricted", 403, "none", 401, "metrics", 403, "bad", 401)),
                new Case("POST /v1/events batch mixing P and Q",
                        t -> h.batch(t, List.of(Harness.pipeline(4, P), Harness.pipeline(5, Q))),
                        Map.of("admin", 202, "publisher", 202, "subscriber", 403, "restricted", 403, "none", 401, "metrics", 403, "bad", 401)),
                new Case("GET /v1/events",
                        t -> h.get("/v1/events", t),
                        Map.of("admin", 200, "publisher", 403, "subscriber", 200, "restricted", 200, "none", 401, "metrics", 403, "bad", 401)),
                new Case("GET /v1/events?project=Q",
                        t -> h.get("/v1/events?project=" + Q.replace("/", "%2F").replace(":", "%3A"), t),
                        Map.of("admin", 200, "publisher", 403, "subscriber", 200, "restricted", 403, "none", 401, "metrics", 403, "bad", 401)),
                new Case("GET /v1/schemas (public)",
                        t -> h.get("/v1/schemas", t),
                        Map.of("admin", 200, "publisher", 200, "subscriber", 200, "restricted", 200, "none", 200, "metrics", 200, "bad", 200)),
                new Case("GET /v1/schemas/ci.pipeline.created/v1 (public)",
                        t -> h.get("/v1/schemas/ci.pipeline.created/v1", t),
                        Map.of("admin", 200, "publisher", 200, "subscriber", 200, "restricted", 200, "none", 200, "metrics", 200, "bad", 200)),
                new Case("POST /v1/schemas/matrix.type",
                        t -> h.send("POST", "/v1/schemas/matrix.type", t, "application/json",
                                SCHEMA.getBytes(StandardCharsets.UTF_8)),
                        Map.of("admin", 200, "publisher", 403, "subscriber", 403, "restricted", 403, "none", 401, "metrics", 403, "bad", 401)),
                new Case("GET /v1/tokens",
                        t -> h.get("/v1/tokens", t),
                        Map.of("admin", 200, "publisher", 403, "subscriber", 403, "restricted", 403, "none", 401, "metrics", 403, "bad", 401)),
                new Case("POST /v1/tokens",
                        t -> h.postJson("/v1/tokens", t, Map.of("name", "x", "scopes", List.of("subscribe:ci.*"))),
                        Map.of("admin", 201, "publisher", 403, "subscriber", 403, "restricted", 403, "none", 401, "metrics", 403, "bad", 401)),
                new Case("DELETE /v1/tokens/unknown",
                        t -> h.send("DELETE", "/v1/tokens/unknownid", t, null, null),
                        Map.of("admin", 404, "publisher", 403, "subscriber", 403, "restricted", 403, "none", 401, "metrics", 403, "bad", 401)),
                new Case("GET /v1/whoami",
                        t -> h.get("/v1/whoami", t),
                        Map.of("admin", 200, "publisher", 200, "subscriber", 200, "restricted", 200, "none", 401, "metrics", 200, "bad", 401)),
                new Case("GET /healthz",
                        t -> h.get("/healthz", t),
                        Map.of("admin", 200, "publisher", 200, "subscriber", 200, "restricted", 200, "none", 200, "metrics", 200, "bad", 200)),
                new Case("GET /readyz",
                        t -> h.get("/readyz", t),
                        Map.of("admin", 200, "publisher", 200, "subscriber", 200, "restricted", 200, "none", 200, "metrics", 200, "bad", 200)),
                new Case("GET /v1/stats",
                        t -> h.get("/v1/stats", t),
                        Map.of("admin", 200, "metrics", 200, "publisher", 403, "subscriber", 403, "restricted", 403, "none", 401, "bad", 401)),
                new Case("GET /metrics",
                        t -> h.get("/metrics", t),
                        Map.of("admin", 200, "metrics", 200, "publisher", 403, "subscriber", 403, "restricted", 403, "none", 401, "bad", 401)));
        return cases.stream().flatMap(c -> c.expected().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> Arguments.of(c, e.getKey(), e.getValue())));
    }

    @ParameterizedTest(name = "{0} as {1} -> {2}")
    @MethodSource("matrix")
    void routeIsAllowedOrDenied(Case c, String who, int expected) {
        String token = tokens.get(who);
        // First register the schema so that later admin registrations of the same schema are 200 (unchanged).
        if (c.name().startsWith("POST /v1/schemas")) {
            h.send("POST", "/v1/schemas/matrix.type", h.adminToken, "application/json",
                    SCHEMA.getBytes(StandardCharsets.UTF_8));
        }

        Harness.Response response = c.request().apply(token.isEmpty() ? null : token);

        assertThat(response.status()).as(who + ": " + c.name() + " -> " + response).isEqualTo(expected);
        if (expected == 401) {
            assertThat(response.header("WWW-Authenticate")).startsWith("Bearer realm=\"herald\"");
        }
        if (expected == 403) {
            assertThat(response.json().get("detail").asText()).as("403s name what was denied").isNotBlank();
        }
    }

    @Test
    void forbiddenPublishNamesTypeAndProject() {
        Harness.Response type = publish(tokens.get("publisher"), Harness.push(P));
        assertThat(type.json().get("violations").get(0).get("value").asText()).isEqualTo("repository.push");

        Harness.Response project = publish(tokens.get("restricted"), Harness.pipeline(9, Q));
        assertThat(project.json().get("detail").asText()).contains(P);
        assertThat(project.json().get("violations").get(0).get("value").asText()).isEqualTo(Q);
    }

    @Test
    void restrictedTokenSeesOnlyItsProject() {
        publish(h.adminToken, Harness.pipeline(20, P));
        publish(h.adminToken, Harness.pipeline(21, Q));
        publish(h.adminToken, Harness.pipeline(22, null));

        Harness.Response response = h.get("/v1/events?limit=1000", tokens.get("restricted"));

        assertThat(response.json().get("events")).isNotEmpty()
                .allSatisfy(e -> assertThat(e.path("project").asText()).isEqualTo(P));
    }

    @Test
    void queryingATypeOutsideTheScopesIs403() {
        String ciReader = h.createToken("ci reader", List.of("subscribe:ci.*"), null);
        publish(h.adminToken, Harness.push(P));

        assertThat(h.get("/v1/events?type=repository.push", ciReader).status()).isEqualTo(403);
        Harness.Response all = h.get("/v1/events?limit=1000", ciReader);
        assertThat(all.json().get("events")).allSatisfy(e -> assertThat(e.get("type").asText()).startsWith("ci."));
    }

    @Test
    void revokedAndExpiredTokensAre401() throws Exception {
        String doomed = h.createToken("doomed", List.of("subscribe:*"), null);
        String id = h.get("/v1/whoami", doomed).json().get("id").asText();
        assertThat(h.send("DELETE", "/v1/tokens/" + id, h.adminToken, null, null).status()).isEqualTo(204);
        assertThat(h.get("/v1/events", doomed).status()).isEqualTo(401);

        Harness.Response shortLived = h.postJson("/v1/tokens", h.adminToken,
                Map.of("name", "short", "scopes", List.of("subscribe:*"), "expiresIn", "1s"));
        String secret = shortLived.json().get("token").asText();
        assertThat(h.get("/v1/events", secret).status()).isEqualTo(200);
        Thread.sleep(1100);
        assertThat(h.get("/v1/events", secret).status()).isEqualTo(401);
    }

    @Test
    void unknownRoutesAndMethodsAreProblems() {
        Harness.Response missing = h.get("/v1/nothing-here", h.adminToken);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.header("Content-Type")).startsWith("application/problem+json");
        Harness.Response method = h.send("PUT", "/v1/events", h.adminToken, "application/json", new byte[0]);
        assertThat(method.status()).isEqualTo(405);
        assertThat(method.json().get("title").asText()).isEqualTo("Method not allowed");
    }

    @Test
    void malformedAuthorizationIs401() {
        Harness.Response basic = h.send("GET", "/v1/events", null, null, null, "Authorization", "Basic dXNlcjpwdw==");
        assertThat(basic.status()).isEqualTo(401);
        assertThat(basic.header("WWW-Authenticate")).contains("invalid_request");
    }
}
