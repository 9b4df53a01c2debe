package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.event.JsonEvents;
import dev.herald.transport.LogPage;
import dev.herald.transport.LogQuery;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzing (issue 10): jqwik generators of hostile bodies and headers sent to a real in-process server
 * on the embedded store, {@value #DEFAULT_TRIES} inputs per endpoint (more with
 * {@code -Dherald.fuzz.tries=100000}). Every answer must be below 500, nothing may be stored from a
 * refused input, and the server must still serve afterwards.
 *
 * <p>Inputs mix plausible values (so that they get past the first check and reach the deep ones) with
 * hostile ones: control characters, lone surrogates, huge numbers, wrong JSON types, deep nesting,
 * pathological CESQL, percent-encoding junk, truncated JSON.
 */
class HostileInputFuzzTest {

    private static final int DEFAULT_TRIES = 10_000;
    private static final int TRIES = Integer.getInteger("herald.fuzz.tries", DEFAULT_TRIES);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final int WORKERS = 4;

    @TempDir
    static Path dir;
    static Harness h;

    @BeforeAll
    static void start() {
        h = Harness.start(dir, Map.of("webhooks.ssrf-allow", "127.0.0.1", "auth.failure-rate-limit", "0"));
    }

    @AfterAll
    static void stop() {
        if (h != null) {
            h.close();
        }
    }

    // ---- hostile building blocks -----------------------------------------------------------------

    /** Strings that break naive code: control characters, surrogates, injection, numbers as text. */
    static Arbitrary<String> hostileText() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(24),
                Arbitraries.strings().withChars("\u0000\r\n\t\"'\\%_{}[]<>/&;:=*$ aZ9").ofMaxLength(24),
                Arbitraries.of("", " ", "\u0000", "a\r\nX-Forged: 1", "%", "%0A", "%zz", "%%%", "../../etc/passwd",
                        "' OR 1=1 --", "${jndi:ldap://127.0.0.1/x}", "\uD800", "\uDFFF\uD800", "𝕳𝖊𝖗𝖆𝖑𝖉",
                        "-1", "0", "1e309", "99999999999999999999999", "NaN", "null", "true", "{}", "[]",
                        "gid://gitlab/Project/1", "https://gitlab.example.com/a", "http://127.0.0.1:9/h",
                        "whsec_" + "A".repeat(40), "P1D", "-5s", "10x", "2026-13-45T25:61:61Z"),
                Arbitraries.integers().between(1, 5000).map("x"::repeat));
    }

    /** Any JSON value, nested a little, hostile at the leaves. */
    static Arbitrary<JsonNode> hostileJson(int depth) {
        List<Arbitrary<? extends JsonNode>> leaves = List.of(
                hostileText().map(JSON::textNode),
                Arbitraries.longs().map(JSON::numberNode),
                Arbitraries.of(JSON.numberNode(Double.MAX_VALUE), JSON.numberNode(new java.math.BigInteger(
                        "1" + "0".repeat(60))), JSON.numberNode(-0.5), JSON.booleanNode(true), JSON.nullNode()));
        if (depth == 0) {
            return Arbitraries.oneOf(leaves);
        }
        List<Arbitrary<? extends JsonNode>> all = new ArrayList<>(leaves);
        all.add(hostileJson(depth - 1).list().ofMaxSize(4).map(values -> {
            ArrayNode array = JSON.arrayNode();
            values.forEach(array::add);
            return array;
        }));
        all.add(Combinators.combine(hostileText().list().ofMaxSize(4), hostileJson(depth - 1).list().ofSize(4))
                .as((keys, values) -> {
                    ObjectNode object = JSON.objectNode();
                    for (int i = 0; i < keys.size(); i++) {
                        object.set(keys.get(i), values.get(i));
                    }
                    return object;
                }));
        return Arbitraries.oneOf(all);
    }

    /** An object whose fields are each absent, plausible or hostile. */
    static Arbitrary<ObjectNode> fields(Map<String, Arbitrary<JsonNode>> plausible) {
        List<String> names = new ArrayList<>(plausible.keySet());
        Arbitrary<JsonNode> hostile = hostileJson(1);
        List<Arbitrary<JsonNode>> choices = new ArrayList<>();
        for (String name : names) {
            choices.add(Arbitraries.frequencyOf(
                    net.jqwik.api.Tuple.of(3, plausible.get(name)),
                    net.jqwik.api.Tuple.of(1, hostile),
                    net.jqwik.api.Tuple.of(1, Arbitraries.just((JsonNode) JSON.missingNode()))));
        }
        Arbitrary<ObjectNode> extra = Combinators.combine(hostileText(), hostile).as((k, v) -> {
            ObjectNode o = JSON.objectNode();
            o.set(k, v);
            return o;
        });
        return Combinators.combine(Combinators.combine(choices).as(values -> values), extra,
                Arbitraries.integers().between(0, 9)).as((values, unknown, roll) -> {
                    ObjectNode object = JSON.objectNode();
                    for (int i = 0; i < names.size(); i++) {
                        if (!values.get(i).isMissingNode()) {
                            object.set(names.get(i), values.get(i));
                        }
                    }
                    if (roll == 0) {
                        object.setAll(unknown);
                    }
                    return object;
                });
    }

    static Arbitrary<JsonNode> text(String... plausible) {
        return Arbitraries.of(plausible).map(JSON::textNode);
    }

    /** Bytes of a body: mostly the JSON, sometimes truncated or with a byte flipped. */
    static Arbitrary<byte[]> mangled(Arbitrary<? extends JsonNode> json) {
        return Combinators.combine(json, Arbitraries.integers().between(0, 19), Arbitraries.integers().between(0, 1 << 20))
                .as((node, roll, at) -> {
                    byte[] bytes = node.toString().getBytes(StandardCharsets.UTF_8);
                    if (roll == 0 && bytes.length > 0) {
                        return java.util.Arrays.copyOf(bytes, at % bytes.length);
                    }
                    if (roll == 1 && bytes.length > 0) {
                        bytes[at % bytes.length] = (byte) (at >>> 8);
                    }
                    return bytes;
                });
    }

    static Arbitrary<String> headerValue() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(40),
                Arbitraries.of("%0D%0AX-Forged:%201", "%", "%zz", "%C3%28", "%00", "", " ", "1.0", "0.3",
                        "ci.pipeline.created", "/s", "https://gitlab.example.com/a", "2026-11-25T10:00:00Z",
                        "gid%3A%2F%2Fgitlab%2FProject%2F1", "application/json", "application/cloudevents+json"));
    }

    // ---- endpoints -------------------------------------------------------------------------------

    static Arbitrary<ObjectNode> event() {
        return fields(Map.ofEntries(
                Map.entry("specversion", text("1.0", "0.3", "2.0")),
                Map.entry("id", Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(12).map(JSON::textNode)),
                Map.entry("source", text("https://gitlab.example.com/group/app", "/s", "urn:x", "")),
                Map.entry("type", text("ci.pipeline.created", "repository.push", "unknown.type", "")),
                Map.entry("time", text("2026-11-25T10:00:00Z", "2026-11-25T10:00:00.123456789+01:00", "yesterday")),
                Map.entry("subject", text("pipeline/1", "")),
                Map.entry("datacontenttype", text("application/json", "text/plain", "application/x+json; charset=utf-8")),
                Map.entry("dataschema", text("https://schemas.example.com/x", "relative/x")),
                Map.entry("project", text("gid://gitlab/Project/1", "")),
                Map.entry("traceparent", text("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "00-zz")),
                Map.entry("data", Arbitraries.oneOf(Arbitraries.integers().map(n -> (JsonNode) JSON.objectNode()
                        .put("pipeline_id", n)), hostileJson(2))),
                Map.entry("data_base64", text("eyJwaXBlbGluZV9pZCI6MX0=", "!!!"))));
    }

    static Arbitrary<ObjectNode> subscription() {
        Arbitrary<JsonNode> filter = Arbitraries.oneOf(
                text("source LIKE '%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%!'", "type = 'ci.pipeline.created'",
                        "((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((true))))))))))))))))))))"
                                + "))))))))))))))))))))))))))))))))))))))))))))))", "INT('x') > 1", "CONCAT()",
                        "subject LIKE 'a\\%'", "9999999999999999999999 > 1", "1 / 0 = 1", "type IN ()",
                        "'", "EXISTS", "herald_like(source, 0)")
                        .map(sql -> (JsonNode) JSON.objectNode().set("sql", sql)),
                hostileJson(3));
        return fields(Map.ofEntries(
                Map.entry("id", Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(10).map(JSON::textNode)),
                Map.entry("types", Arbitraries.of("ci.pipeline.created", "ci.*", "*", "").list().ofMaxSize(3)
                        .map(l -> (JsonNode) JSON.arrayNode().addAll(l.stream().map(JSON::textNode).toList()))),
                Map.entry("filters", filter.list().ofMaxSize(3).map(l -> (JsonNode) JSON.arrayNode().addAll(l))),
                Map.entry("protocol", text("PULL", "HTTP", "MQTT")),
                Map.entry("sink", text("http://127.0.0.1:9/hook", "http://169.254.169.254/", "ftp://x/")),
                Map.entry("protocolsettings", Arbitraries.of((JsonNode) JSON.objectNode().set("headers",
                        JSON.objectNode().put("X-Token", "t")), JSON.objectNode().put("method", "PUT"))),
                Map.entry("delivery", Arbitraries.of((JsonNode) JSON.objectNode().put("maxAttempts", 3),
                        JSON.objectNode().put("ackDeadline", "10s"), JSON.objectNode().put("startAt", "earliest"),
                        JSON.objectNode().set("backoff", JSON.objectNode().put("min", "1s").put("max", "1ms")))),
                Map.entry("secret", text("whsec_" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=", "whsec_x")),
                Map.entry("config", Arbitraries.of((JsonNode) JSON.objectNode().put("topic", "events"),
                        JSON.objectNode().put("topic", "../x"))),
                Map.entry("ephemeral", Arbitraries.of((JsonNode) JSON.booleanNode(true), JSON.booleanNode(false)))));
    }

    static Arbitrary<ObjectNode> token() {
        return fields(Map.of(
                "name", text("ci-runner", ""),
                "scopes", Arbitraries.of("publish:ci.*", "subscribe:*", "admin", "metrics", "root", "publish:")
                        .list().ofMaxSize(3)
                        .map(l -> (JsonNode) JSON.arrayNode().addAll(l.stream().map(JSON::textNode).toList())),
                "project", text("gid://gitlab/Project/1", ""),
                "expiresIn", text("P30D", "30d", "-1s", "0")));
    }

    // ---- the runs --------------------------------------------------------------------------------

    @Test
    void publishStructured() {
        fuzzEvents(mangled(event()).map(body -> new Input(JsonEvents.STRUCTURED, body, new String[0])));
    }

    @Test
    void publishBatch() {
        fuzzEvents(mangled(Arbitraries.oneOf(event().list().ofMaxSize(4).map(l -> (JsonNode) JSON.arrayNode().addAll(l)),
                hostileJson(2))).map(body -> new Input(JsonEvents.BATCH, body, new String[0])));
    }

    @Test
    void publishBinary() {
        Arbitrary<String> names = Arbitraries.oneOf(Arbitraries.of("ce-specversion", "ce-id", "ce-source", "ce-type",
                "ce-time", "ce-subject", "ce-dataschema", "ce-project", "ce-traceparent", "ce-partitionkey"),
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(8).map(s -> "ce-" + s));
        Arbitrary<String[]> headers = Combinators.combine(names, headerValue()).as((n, v) -> new String[] {n, v})
                .list().ofMaxSize(8).map(pairs -> {
                    List<String> flat = new ArrayList<>(List.of("ce-specversion", "1.0", "ce-id", "b", "ce-source", "/s",
                            "ce-type", "ci.pipeline.created"));
                    Set<String> seen = new HashSet<>();
                    for (String[] pair : pairs) {
                        if (seen.add(pair[0])) {
                            int at = flat.indexOf(pair[0]);
                            if (at >= 0 && at % 2 == 0) {
                                flat.set(at + 1, pair[1]);
                            } else {
                                flat.add(pair[0]);
                                flat.add(pair[1]);
                            }
                        }
                    }
                    return flat.toArray(String[]::new);
                });
        Arbitrary<String> contentType = Arbitraries.oneOf(headerValue(),
                Arbitraries.of("application/json", "application/json; charset=latin1", "text/plain"));
        fuzzEvents(Combinators.combine(contentType, mangled(hostileJson(2)), headers).as(Input::new));
    }

    @Test
    void createSubscriptions() {
        int before = subscriptions();
        AtomicInteger created = new AtomicInteger();
        fuzz(mangled(subscription()).map(body -> new Input("application/json", body, new String[0])), (w, input) -> {
            Harness.Response response = h.send("POST", "/v1/subscriptions", h.adminToken, input.contentType(),
                    input.body());
            requireBelow500(response, input);
            if (response.status() == 201) {
                created.incrementAndGet();
            }
        });
        assertThat(subscriptions()).as("only created subscriptions are stored").isEqualTo(before + created.get());
        requireHealthy();
    }

    @Test
    void patchSubscription() {
        String[] current = new String[WORKERS];
        for (int w = 0; w < WORKERS; w++) {
            Harness.Response made = h.postJson("/v1/subscriptions", h.adminToken,
                    Map.of("id", "patched-" + w, "protocol", "PULL"));
            assertThat(made.status()).as(made.toString()).isEqualTo(201);
            current[w] = h.get("/v1/subscriptions/patched-" + w, h.adminToken).body();
        }
        fuzz(mangled(subscription().map(body -> {
            body.remove("id");
            return body;
        })).map(body -> new Input("application/merge-patch+json", body, new String[0])), (w, input) -> {
            String path = "/v1/subscriptions/patched-" + w;
            Harness.Response response = h.send("PATCH", path, h.adminToken, input.contentType(), input.body());
            requireBelow500(response, input);
            String after = h.get(path, h.adminToken).body();
            if (response.status() >= 400) {
                assertThat(after).as("a refused PATCH changes nothing: %s", input).isEqualTo(current[w]);
            }
            current[w] = after;
        });
        requireHealthy();
    }

    @Test
    void createTokens() {
        int before = tokens();
        AtomicInteger created = new AtomicInteger();
        fuzz(mangled(token()).map(body -> new Input("application/json", body, new String[0])), (w, input) -> {
            Harness.Response response = h.send("POST", "/v1/tokens", h.adminToken, input.contentType(), input.body());
            requireBelow500(response, input);
            if (response.status() == 201) {
                created.incrementAndGet();
            }
        });
        assertThat(tokens()).as("only created tokens are stored").isEqualTo(before + created.get());
        requireHealthy();
    }

    // ---- helpers ---------------------------------------------------------------------------------

    record Input(String contentType, byte[] body, String[] headers) {
        @Override
        public String toString() {
            return contentType + " " + String.join(" ", headers) + " " + new String(body, StandardCharsets.UTF_8);
        }
    }

    private static void fuzzEvents(Arbitrary<Input> inputs) {
        List<String> before = storedEvents();
        Set<String> accepted = java.util.concurrent.ConcurrentHashMap.newKeySet();
        fuzz(inputs, (w, input) -> {
            Harness.Response response = h.send("POST", "/v1/events", h.adminToken, input.contentType(), input.body(),
                    input.headers());
            requireBelow500(response, input);
            if (response.status() == 202) {
                response.json().path("accepted").forEach(id -> accepted.add(id.asText()));
            }
        });
        List<String> added = new ArrayList<>(storedEvents());
        before.forEach(added::remove);
        assertThat(added).as("nothing stored that was not accepted").isSubsetOf(accepted);
        requireHealthy();
    }

    /**
     * Sends every input, {@value #WORKERS} at a time (the server's group commit then batches their writes);
     * worker {@code w} gets inputs {@code w, w + WORKERS, …}.
     */
    private static void fuzz(Arbitrary<Input> inputs, BiConsumer<Integer, Input> send) {
        List<Input> all = inputs.sampleStream().limit(TRIES).toList();
        try (ExecutorService pool = Executors.newFixedThreadPool(WORKERS)) {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                int worker = w;
                workers.add(pool.submit(() -> {
                    for (int i = worker; i < all.size(); i += WORKERS) {
                        send.accept(worker, all.get(i));
                    }
                }));
            }
            for (Future<?> worker : workers) {
                try {
                    worker.get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof AssertionError a ? a : new AssertionError(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
        }
    }

    private static void requireBelow500(Harness.Response response, Input input) {
        assertThat(response.status()).as("%s\n-> %s", input, response).isLessThan(500);
    }

    private static void requireHealthy() {
        assertThat(h.get("/healthz", null).status()).isEqualTo(200);
        assertThat(h.get("/readyz", null).status()).isEqualTo(200);
        assertThat(h.structured(h.adminToken, Harness.pipeline(1, null)).status()).isEqualTo(202);
    }

    /** The ids of every stored event, once per stored copy. */
    private static List<String> storedEvents() {
        List<String> ids = new ArrayList<>();
        LogQuery query = LogQuery.of("events").withLimit(1000);
        for (LogPage page; ; query = query.withAfter(page.cursor())) {
            page = h.server.store().transport().query(query);
            page.entries().forEach(e -> ids.add(e.event().getId()));
            if (!page.more()) {
                return ids;
            }
        }
    }

    private static int subscriptions() {
        int count = 0;
        String after = null;
        do {
            JsonNode page = h.get("/v1/subscriptions?limit=100" + (after == null ? "" : "&after=" + after),
                    h.adminToken).json();
            count += page.path("items").size();
            after = page.path("next").isTextual() ? page.path("next").asText() : null;
        } while (after != null);
        return count;
    }

    private static int tokens() {
        return h.get("/v1/tokens", h.adminToken).json().path("tokens").size();
    }
}
