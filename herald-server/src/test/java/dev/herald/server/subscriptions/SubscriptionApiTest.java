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

/** The /v1/subscriptions resource over real HTTP: create, validate, list, update, pause, delete. */
class SubscriptionApiTest {

    /** A public address literal: accepted by the SSRF guard without any DNS lookup. */
    static final String PUBLIC_SINK = "https://93.184.216.34/hooks/herald";

    @TempDir
    Path dir;

    private Sink sink;
    private TestServer server;
    private Api api;

    @BeforeEach
    void start() {
        sink = new Sink();
        server = new TestServer(dir, TestServer.settings().build());
        api = server.admin();
    }

    @AfterEach
    void stop() {
        server.close();
        sink.close();
    }

    private static Map<String, Object> body(Object... fields) {
        Map<String, Object> body = new LinkedHashMap<>();
        for (int i = 0; i < fields.length; i += 2) {
            body.put((String) fields[i], fields[i + 1]);
        }
        return body;
    }

    private String create(Map<String, Object> body) {
        Api.Response created = api.post("/v1/subscriptions", body);
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        return created.text("id");
    }

    @Test
    void createAnswersTheResourceWithItsSecretOnce() {
        Api.Response created = api.post("/v1/subscriptions", body("id", "security-notify",
                "source", "https://gitlab.example.com/group/app",
                "types", List.of("vulnerabilities.new_finding"),
                "filters", List.of(Map.of("prefix", Map.of("subject", "gid://gitlab/")),
                        Map.of("sql", "authtype = 'app_user'")),
                "sink", PUBLIC_SINK,
                "delivery", Map.of("maxAttempts", 8, "backoff", Map.of("min", "2s", "max", "PT10M"),
                        "ordered", true, "concurrency", 4, "delay", "30s", "startAt", "earliest")));

        assertThat(created.status()).as("%s", created).isEqualTo(201);
        assertThat(created.headers().firstValue("location")).hasValue("/v1/subscriptions/security-notify");
        JsonNode json = created.body();
        assertThat(json.path("id").asText()).isEqualTo("security-notify");
        assertThat(json.path("protocol").asText()).isEqualTo("HTTP");
        assertThat(json.path("sink").asText()).isEqualTo(PUBLIC_SINK);
        assertThat(json.path("filters").size()).isEqualTo(2);
        assertThat(json.path("protocolsettings").path("method").asText()).isEqualTo("POST");
        assertThat(json.path("protocolsettings").path("contentmode").asText()).isEqualTo("binary");
        JsonNode delivery = json.path("delivery");
        assertThat(delivery.path("maxAttempts").asInt()).isEqualTo(8);
        assertThat(delivery.path("backoff").path("min").asText()).isEqualTo("PT2S");
        assertThat(delivery.path("backoff").path("max").asText()).isEqualTo("PT10M");
        assertThat(delivery.path("ordered").asBoolean()).isTrue();
        assertThat(delivery.path("concurrency").asInt()).isEqualTo(4);
        assertThat(delivery.path("delay").asText()).isEqualTo("PT30S");
        assertThat(delivery.path("startAt").asText()).isEqualTo("earliest");
        assertThat(json.path("status").asText()).isEqualTo("active");
        assertThat(json.path("stats").path("backlog").isNumber()).isTrue();
        assertThat(json.path("stats").path("inFlight").isNumber()).isTrue();
        assertThat(json.path("stats").path("deadLetters").isNumber()).isTrue();
        assertThat(json.path("stats").path("droppedByRetention").asLong()).isZero();
        assertThat(json.path("createdBy").asText()).isEqualTo("tok_admin");
        assertThat(json.path("secret").asText()).startsWith("whsec_");

        assertThat(api.get("/v1/subscriptions/security-notify").body().has("secret")).isFalse();
        assertThat(api.get("/v1/subscriptions").body().path("items").get(0).has("secret")).isFalse();
        Api.Response again = api.post("/v1/subscriptions", body("id", "security-notify", "sink", PUBLIC_SINK));
        assertThat(again.status()).isEqualTo(409);
    }

    static Stream<Arguments> invalidBodies() {
        return Stream.of(
                Arguments.of("{\"sink\": \"not a url\"}", "sink", "absolute http(s) URL"),
                Arguments.of("{\"sink\": \"ftp://example.com/x\"}", "sink", "http or https"),
                Arguments.of("{\"sink\": \"https://user:pw@example.com/\"}", "sink", "credentials"),
                Arguments.of("{\"sink\": \"https://exa_mple.com/\"}", "sink", "must name a host"),
                Arguments.of("{}", "sink", "is required"),
                Arguments.of("{\"sink\": \"" + PUBLIC_SINK + "\", \"filters\": [{\"regex\": {\"type\": \"ci\"}}]}",
                        "filters[0].regex", "unknown dialect"),
                Arguments.of("{\"sink\": \"" + PUBLIC_SINK + "\", \"filters\": [{\"sql\": \"type = \"}]}",
                        "filters[0].sql", ""),
                Arguments.of("{\"sink\": \"" + PUBLIC_SINK + "\", \"filters\": [{\"sql\": \"source = '"
                        + "x".repeat(4096) + "'\"}]}", "filters[0].sql", "the limit is 4096 (filters.sql-max-length)"),
                Arguments.of("{\"sink\": \"" + PUBLIC_SINK + "\", \"filters\": [{\"sql\": \"source LIKE '"
                        + "%_".repeat(17) + "!'\"}]}", "filters[0].sql", "the limit is 32 (filters.sql-max-wildcards)"),
                Arguments.of("{\"sink\": \"" + PUBLIC_SINK + "\", \"filters\": [{\"sql\": \""
                        + "(".repeat(65) + "true" + ")".repeat(65) + "\"}]}", "filters[0].sql",
                        "the limit is 64 (filters.sql-max-depth)"),
                Arguments.of("{\"sink\": \"" + PUBLIC_SINK + "\", \"filters\": [{\"exact\": {\"type\": 1}}]}",
                        "filters[0].exact.type", "must be a string"),
                Arguments.of("{\"sink\": \"" + PUBLIC_SINK + "\", \"filters\": {\"prefix\": {\"type\": \"ci.\"}}}",
                        "filters", "must be an array"),
                Arguments.of("{\"sink\": \"" + PUBLIC_SINK + "\", \"protocol\": \"MQTT5\"}", "protocol",
                        "not supported"),
                Arguments.of("{\"protocol\": \"PULL\", \"sink\": \"" + PUBLIC_SINK + "\"}", "sink", "must be absent"),
                Arguments.of("{\"sink\": \"" + PUBLIC_SINK + "\", \"delivery\": {\"maxAttempts\": 0}}",
                        "delivery.maxAttempts", "integer from 1"),
                Arguments.of("{\"sink\": \"" + PUBLIC_SINK + "\", \"delivery\": {\"backoff\": {\"min\": \"10x\"}}}",
                        "delivery.backoff.min", "duration"),
                Arguments.of("{\"sink\": \"" + PUBLIC_SINK + "\", \"delivery\": {\"backoff\": {\"min\": \"10s\", "
                        + "\"max\": \"1s\"}}}", "delivery.backoff.max", "must not be less"),
                Arguments.of("{\"sink\": \"" + PUBLIC_SINK + "\", \"delivery\": {\"startAt\": \"yesterday\"}}",
                        "delivery.startAt", "RFC 3339"),
                Arguments.of("{\"sink\": \"" + PUBLIC_SINK + "\", \"delivery\": {\"ackDeadline\": \"10s\"}}",
                        "delivery.ackDeadline", "PULL subscriptions only"),
                Arguments.of("{\"sink\": \"" + PUBLIC_SINK + "\", \"delivery\": {\"retries\": 3}}",
                        "delivery.retries", "unknown setting"),
                Arguments.of("{\"sink\": \"" + PUBLIC_SINK + "\", \"protocolsettings\": {\"headers\": "
                        + "{\"Host\": \"evil\"}}}", "protocolsettings.headers.Host", "set by Herald"),
                Arguments.of("{\"sink\": \"" + PUBLIC_SINK + "\", \"protocolsettings\": {\"headers\": "
                        + "{\"X-A\": \"a\\r\\nX-B: b\"}}}", "protocolsettings.headers.X-A", "line breaks"),
                Arguments.of("{\"sink\": \"" + PUBLIC_SINK + "\", \"protocolsettings\": {\"method\": \"GET\"}}",
                        "protocolsettings.method", "POST or PUT"),
                Arguments.of("{\"sink\": \"" + PUBLIC_SINK + "\", \"secret\": \"hunter2\"}", "secret", "whsec_"),
                Arguments.of("{\"sink\": \"" + PUBLIC_SINK + "\", \"secret\": \"whsec_c2hvcnQ=\"}", "secret",
                        "24 to 64 bytes"),
                Arguments.of("{\"sink\": \"" + PUBLIC_SINK + "\", \"colour\": \"blue\"}", "colour", "unknown field"),
                Arguments.of("{\"sink\": \"" + PUBLIC_SINK + "\", \"types\": [\"ci. pipeline\"]}", "types[0]",
                        "event type"),
                Arguments.of("{\"sink\": \"" + PUBLIC_SINK + "\", \"id\": \"has space\"}", "id", "characters"),
                Arguments.of("{\"sink\": \"" + PUBLIC_SINK + "\", \"config\": {\"region\": \"eu\"}}", "config.region",
                        "unknown setting"),
                Arguments.of("{\"sink\": \"" + PUBLIC_SINK + "\", \"ephemeral\": true}", "ephemeral",
                        "PULL subscriptions only"),
                Arguments.of("{\"sink\": \"" + PUBLIC_SINK + "\",", "body", "malformed JSON"));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("invalidBodies")
    void invalidBodiesAreRefusedNamingTheFieldAndTheRule(String body, String where, String rule) {
        Api.Response response = api.post("/v1/subscriptions", body);

        assertThat(response.status()).as("%s", response).isEqualTo(400);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        List<String> wheres = new ArrayList<>();
        response.body().path("violations").forEach(v -> wheres.add(v.path("where").asText()));
        assertThat(wheres).as("%s", response).contains(where);
        JsonNode violation = null;
        for (JsonNode v : response.body().path("violations")) {
            if (v.path("where").asText().equals(where)) {
                violation = v;
            }
        }
        assertThat(violation.path("rule").asText()).contains(rule);
        assertThat(response.body().path("detail").asText()).contains(where);
    }

    @Test
    void everyViolationOfABodyIsReportedAtOnce() {
        Api.Response response = api.post("/v1/subscriptions", body("sink", "ftp://x", "delivery",
                Map.of("maxAttempts", -1, "concurrency", 0), "filters", List.of(Map.of("sql", "(("))));

        assertThat(response.status()).isEqualTo(400);
        List<String> wheres = new ArrayList<>();
        response.body().path("violations").forEach(v -> wheres.add(v.path("where").asText()));
        assertThat(wheres).contains("sink", "delivery.maxAttempts", "delivery.concurrency", "filters[0].sql");
    }

    @Test
    void listPagesAndFilters() {
        String a = create(body("id", "a-hook", "sink", PUBLIC_SINK));
        String b = create(body("id", "b-hook", "sink", PUBLIC_SINK));
        String c = create(body("id", "c-pull", "protocol", "PULL"));
        api.post("/v1/subscriptions/" + b + "/pause", null);

        JsonNode first = api.get("/v1/subscriptions?limit=2").body();
        assertThat(ids(first)).containsExactly(a, b);
        assertThat(first.path("next").asText()).isEqualTo(b);
        JsonNode second = api.get("/v1/subscriptions?limit=2&after=" + b).body();
        assertThat(ids(second)).containsExactly(c);
        assertThat(second.path("next").isNull()).isTrue();
        assertThat(ids(api.get("/v1/subscriptions?protocol=pull").body())).containsExactly(c);
        assertThat(ids(api.get("/v1/subscriptions?status=paused").body())).containsExactly(b);
        assertThat(api.get("/v1/subscriptions?status=sleeping").status()).isEqualTo(400);
        assertThat(api.get("/v1/subscriptions?limit=0").status()).isEqualTo(400);

        JsonNode pull = api.get("/v1/subscriptions/" + c).body();
        assertThat(pull.path("stream").asText()).isEqualTo("/v1/subscriptions/c-pull/stream");
        assertThat(pull.has("sink")).isFalse();
        assertThat(pull.path("delivery").path("ackDeadline").asText()).isEqualTo("PT1M");
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.path("items").forEach(item -> ids.add(item.path("id").asText()));
        return ids;
    }

    @Test
    void putReplacesPatchMergesAndImmutableFieldsStay() {
        String id = create(body("types", List.of(TestEvents.PIPELINE_CREATED), "sink", sink.url()));

        Api.Response put = api.put("/v1/subscriptions/" + id, body("types", List.of(TestEvents.PIPELINE_FINISHED),
                "sink", sink.url(), "delivery", Map.of("maxAttempts", 9)));
        assertThat(put.status()).as("%s", put).isEqualTo(200);
        assertThat(put.body().path("types").get(0).asText()).isEqualTo(TestEvents.PIPELINE_FINISHED);

        Api.Response patch = api.patch("/v1/subscriptions/" + id, Map.of("delivery", Map.of("concurrency", 2)));
        assertThat(patch.status()).as("%s", patch).isEqualTo(200);
        assertThat(patch.body().path("delivery").path("concurrency").asInt()).isEqualTo(2);
        assertThat(patch.body().path("delivery").path("maxAttempts").asInt()).as("kept").isEqualTo(9);
        assertThat(patch.body().path("types").get(0).asText()).as("kept").isEqualTo(TestEvents.PIPELINE_FINISHED);

        assertThat(api.patch("/v1/subscriptions/" + id, Map.of("protocol", "PULL")).status()).isEqualTo(400);
        assertThat(api.patch("/v1/subscriptions/" + id, Map.of("id", "other")).status()).isEqualTo(400);
        Api.Response pathological = api.patch("/v1/subscriptions/" + id, Map.of("filters",
                List.of(Map.of("sql", "source LIKE '" + "%_".repeat(17) + "!'"))));
        assertThat(pathological.status()).isEqualTo(400);
        assertThat(pathological.body().path("violations").get(0).path("rule").asText())
                .contains("(filters.sql-max-wildcards)");
        assertThat(api.patch("/v1/subscriptions/" + id, Map.of("secret", "whsec_x")).body().path("violations")
                .get(0).path("rule").asText()).contains("rotate-secret");
        assertThat(api.patch("/v1/subscriptions/" + id, Map.of("config", Map.of("topic", "audit"))).status())
                .isEqualTo(400);

        // The update took effect on delivery without losing the position.
        server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED));
        CloudEvent finished = server.publish(TestEvents.of(TestEvents.PIPELINE_FINISHED));
        assertThat(sink.next().header("ce-id")).isEqualTo(finished.getId());
        sink.expectNothing(Duration.ofMillis(300));
    }

    @Test
    void pauseKeepsEventsInTheBacklogAndResumeDeliversThem() {
        String id = create(body("types", List.of(TestEvents.PIPELINE_CREATED), "sink", sink.url()));
        assertThat(api.post("/v1/subscriptions/" + id + "/pause", null).text("status")).isEqualTo("paused");
        assertThat(api.post("/v1/subscriptions/" + id + "/enable", null).status()).as("enable is for disabled")
                .isEqualTo(409);

        for (int i = 0; i < 3; i++) {
            server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED));
        }
        sink.expectNothing(Duration.ofMillis(500));
        JsonNode paused = api.get("/v1/subscriptions/" + id).body();
        assertThat(paused.path("stats").path("backlog").asLong()).isEqualTo(3);
        assertThat(paused.path("statusReason").asText()).contains("tok_admin");

        assertThat(api.post("/v1/subscriptions/" + id + "/resume", null).text("status")).isEqualTo("active");
        for (int i = 0; i < 3; i++) {
            sink.next();
        }
    }

    @Test
    void deleteRemovesTheSubscriptionWithItsPosition() {
        String id = create(body("types", List.of(TestEvents.PIPELINE_CREATED), "sink", sink.url()));

        assertThat(api.delete("/v1/subscriptions/" + id).status()).isEqualTo(204);

        assertThat(api.get("/v1/subscriptions/" + id).status()).isEqualTo(404);
        assertThat(api.delete("/v1/subscriptions/" + id).status()).isEqualTo(404);
        assertThat(server.store().transport().subscription("api." + id)).isEmpty();
        server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED));
        sink.expectNothing(Duration.ofMillis(300));
        assertThat(create(body("id", id, "sink", sink.url()))).as("the id can be reused").isEqualTo(id);
    }

    @Test
    void seekRewindsASubscription() {
        CloudEvent before = server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED));
        String id = create(body("types", List.of(TestEvents.PIPELINE_CREATED), "sink", sink.url()));
        sink.expectNothing(Duration.ofMillis(300));

        Api.Response seek = api.post("/v1/subscriptions/" + id + "/seek", Map.of("to", "earliest"));
        assertThat(seek.status()).as("%s", seek).isEqualTo(200);
        assertThat(sink.next().header("ce-id")).isEqualTo(before.getId());
        assertThat(api.post("/v1/subscriptions/" + id + "/seek", Map.of("to", "last tuesday")).status())
                .isEqualTo(400);
    }

    @Test
    void requestsWithoutATokenAreRefused() {
        assertThat(api.as(null).get("/v1/subscriptions").status()).isEqualTo(401);
    }
}
