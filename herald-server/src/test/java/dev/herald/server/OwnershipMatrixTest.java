package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every subscription route against a webhook subscription that the {@code owner} token created, as:
 * the owner; another subscriber whose scope and project cover it; a publisher; a token of another
 * project; an admin; and no token. Each row is one request on a fresh subscription and the status it
 * must get: the owner and admins operate it, the other subscriber may only read it (403), tokens that
 * may not see it get 404, and no token 401.
 */
class OwnershipMatrixTest {

    static final String P = "gid://gitlab/Project/1";
    static final String Q = "gid://gitlab/Project/2";
    static final String SINK = "https://93.184.216.34/hooks/herald";

    @TempDir
    static Path dir;
    static Harness h;
    static Map<String, String> tokens;
    static final AtomicInteger IDS = new AtomicInteger();

    @BeforeAll
    static void start() {
        // Each case creates its own subscription with the owner token, more than the default limit; bad
        // tokens are part of the matrix: throttling failed authentications is RateLimitTest's subject.
        h = Harness.start(dir, Map.of("limits.subscriptions-per-token", "1000", "auth.failure-rate-limit", "0"));
        tokens = Map.of(
                "owner", h.createToken("owner", List.of("subscribe:ci.*"), P),
                "other-subscriber", h.createToken("other", List.of("subscribe:ci.*"), P),
                "publisher", h.createToken("publisher", List.of("publish:ci.*"), null),
                "other-project", h.createToken("other project", List.of("subscribe:ci.*"), Q),
                "admin", h.adminToken,
                "none", "");
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    /** A route: how to call it on subscription {@code id}, and the owner's status (admins get the same). */
    record Route(String name, BiFunction<String, String, Harness.Response> call, int ownerStatus) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Harness.Response post(String path, String token, Object body) {
        return body == null ? h.send("POST", path, token, null, null) : h.postJson(path, token, body);
    }

    static Harness.Response json(String method, String path, String token, String body) {
        return h.send(method, path, token, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    static Stream<Arguments> matrix() {
        String s = "/v1/subscriptions/";
        List<Route> routes = List.of(
                new Route("GET", (id, t) -> h.get(s + id, t), 200),
                new Route("PUT", (id, t) -> json("PUT", s + id, t, "{\"types\":[\"ci.*\"],\"sink\":\"" + SINK
                        + "\"}"), 200),
                new Route("PATCH", (id, t) -> json("PATCH", s + id, t, "{\"sink\":\"" + SINK + "/v2\"}"), 200),
                new Route("DELETE", (id, t) -> h.send("DELETE", s + id, t, null, null), 204),
                new Route("pause", (id, t) -> post(s + id + "/pause", t, null), 200),
                new Route("resume", (id, t) -> post(s + id + "/resume", t, null), 200),
                new Route("enable", (id, t) -> post(s + id + "/enable", t, null), 200),
                new Route("seek", (id, t) -> post(s + id + "/seek", t, Map.of("to", "earliest")), 200),
                new Route("rotate-secret", (id, t) -> post(s + id + "/rotate-secret", t, null), 200),
                new Route("stream (webhook: 409 once authorized)", (id, t) -> h.get(s + id + "/stream", t), 409),
                new Route("acks (webhook: 409 once authorized)", (id, t) -> post(s + id + "/acks", t,
                        Map.of("ids", List.of("x"))), 409),
                new Route("nacks (webhook: 409 once authorized)", (id, t) -> post(s + id + "/nacks", t,
                        Map.of("ids", List.of("x"))), 409),
                new Route("dead letters list", (id, t) -> h.get(s + id + "/dead-letters", t), 200),
                new Route("dead letter get", (id, t) -> h.get(s + id + "/dead-letters/none", t), 404),
                new Route("dead letters redrive", (id, t) -> post(s + id + "/dead-letters/redrive", t,
                        Map.of("all", true)), 200),
                new Route("dead letters discard", (id, t) -> post(s + id + "/dead-letters/discard", t,
                        Map.of("all", true)), 200),
                new Route("dead letter redrive one", (id, t) -> post(s + id + "/dead-letters/none/redrive", t,
                        null), 404),
                new Route("dead letter delete one", (id, t) -> h.send("DELETE", s + id + "/dead-letters/none", t,
                        null, null), 404));
        return routes.stream().flatMap(route -> Stream.of(
                Arguments.of(route, "owner", route.ownerStatus()),
                Arguments.of(route, "admin", route.ownerStatus()),
                Arguments.of(route, "other-subscriber", route.name().equals("GET") ? 200 : 403),
                Arguments.of(route, "publisher", 404),
                Arguments.of(route, "other-project", 404),
                Arguments.of(route, "none", 401)));
    }

    @ParameterizedTest(name = "{0} as {1} -> {2}")
    @MethodSource("matrix")
    void routeIsAllowedOrDenied(Route route, String who, int expected) {
        String id = "owned-" + IDS.incrementAndGet();
        Harness.Response created = h.postJson("/v1/subscriptions", tokens.get("owner"), Map.of("id", id,
                "types", List.of("ci.*"), "sink", SINK, "protocolsettings",
                Map.of("headers", Map.of("X-Gitlab-Event-Streaming-Token", "t0ken"))));
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        String token = tokens.get(who);

        Harness.Response response = route.call().apply(id, token.isEmpty() ? null : token);

        assertThat(response.status()).as(who + ": " + route + " -> " + response).isEqualTo(expected);
        if (who.equals("other-subscriber") && expected == 200) {
            assertThat(response.json().path("protocolsettings").path("headers")
                    .path("X-Gitlab-Event-Streaming-Token").asText()).isEqualTo("<redacted>");
            assertThat(response.json().has("secret")).isFalse();
        }
    }
}
