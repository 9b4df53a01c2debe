package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.event.JsonEvents;
import dev.herald.transport.Consumer;
import dev.herald.transport.Delivery;
import dev.herald.transport.LogEntry;
import dev.herald.transport.LogPage;
import dev.herald.transport.LogQuery;
import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionSpec;
import io.cloudevents.CloudEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POST /v1/events over real HTTP: the three modes, invalid events, limits, media types, deduplication. */
class IntakeTest {

    @TempDir
    static Path dir;
    static Harness h;

    @BeforeAll
    static void start() {
        h = Harness.start(dir, Map.of("events.max-event-bytes", "64KiB", "events.max-request-bytes", "256KiB",
                "events.max-batch-events", "50"));
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    private static List<String> storedIds() {
        return stored().stream().map(e -> e.event().getId()).toList();
    }

    private static List<LogEntry> stored() {
        List<LogEntry> entries = new ArrayList<>();
        LogQuery query = LogQuery.of("events").withLimit(1000);
        for (LogPage page; ; query = query.withAfter(page.cursor())) {
            page = h.server.store().transport().query(query);
            entries.addAll(page.entries());
            if (!page.more()) {
                return entries;
            }
        }
    }

    private static List<String> ids(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    @Test
    void structuredModeIsAcceptedOnceDurable() {
        CloudEvent event = Harness.pipeline(1, "gid://gitlab/Project/1");

        Harness.Response response = h.structured(h.adminToken, event);

        assertThat(response.status()).as(response.toString()).isEqualTo(202);
        assertThat(ids(response.json().get("accepted"))).containsExactly(event.getId());
        assertThat(ids(response.json().get("duplicates"))).isEmpty();
        assertThat(storedIds()).contains(event.getId());
    }

    @Test
    void theStoredFormIsTheRequestsOwnBytesOfEachEvent() throws Exception {
        String one = new String(JsonEvents.write(Harness.pipeline(40, null)), StandardCharsets.UTF_8)
                .replace(",", ",\n  ");
        String two = new String(JsonEvents.write(Harness.pipeline(41, null)), StandardCharsets.UTF_8);
        String three = new String(JsonEvents.write(Harness.pipeline(42, null)), StandardCharsets.UTF_8);
        h.server.store().transport().createSubscription(SubscriptionSpec.of("stored-form", "events")
                .withStart(StartPosition.LATEST));

        assertThat(h.send("POST", "/v1/events", h.adminToken, JsonEvents.STRUCTURED,
                (" " + one + "\n").getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(202);
        assertThat(h.send("POST", "/v1/events", h.adminToken, JsonEvents.BATCH,
                ("[" + two + ",\n " + three + "]").getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(202);

        List<String> delivered = new ArrayList<>();
        try (Consumer consumer = h.server.store().transport().openConsumer("stored-form")) {
            for (int polls = 0; delivered.size() < 3 && polls < 50; polls++) {
                for (Delivery delivery : consumer.poll(10, java.time.Duration.ofMillis(200))) {
                    delivered.add(new String(delivery.json(), StandardCharsets.UTF_8));
                    assertThat(new JsonEvents().readEvent(delivery.json())).isEqualTo(delivery.event());
                    delivery.ack();
                }
            }
        } finally {
            h.server.store().transport().deleteSubscription("stored-form");
        }
        assertThat(delivered).containsExactly(one, two, three);
    }

    @Test
    void binaryModeReadsCeHeadersAndTheBodyAsData() {
        Harness.Response response = h.send("POST", "/v1/events", h.adminToken, "application/json; charset=utf-8",
                "{\"pipeline_id\": 77}".getBytes(StandardCharsets.UTF_8),
                "ce-specversion", "1.0", "ce-id", "binary-1", "ce-source", "https://gitlab.example.com/group/app",
                "ce-type", "ci.pipeline.created", "ce-subject", "pipeline/77", "ce-time", "2026-11-25T10:00:00Z",
                "ce-project", "gid%3A%2F%2Fgitlab%2FProject%2F7", "ce-correlationid", "req-42");

        assertThat(response.status()).as(response.toString()).isEqualTo(202);
        CloudEvent stored = stored().stream()
                .map(LogEntry::event).filter(e -> e.getId().equals("binary-1")).findFirst().orElseThrow();
        assertThat(stored.getExtension("project")).isEqualTo("gid://gitlab/Project/7");
        assertThat(stored.getExtension("correlationid")).isEqualTo("req-42");
        assertThat(stored.getSubject()).isEqualTo("pipeline/77");
        assertThat(new String(stored.getData().toBytes(), StandardCharsets.UTF_8)).contains("77");
    }

    @Test
    void batchModeIsAllOrNothing() {
        List<CloudEvent> good = List.of(Harness.pipeline(2, null), Harness.push(null), Harness.pipeline(3, null));
        Harness.Response accepted = h.batch(h.adminToken, good);
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        assertThat(ids(accepted.json().get("accepted"))).containsExactlyElementsOf(good.stream().map(CloudEvent::getId).toList());

        CloudEvent invalid = dev.herald.event.EventBuilder.create().type("ci.pipeline.created")
                .source("https://gitlab.example.com/group/app").data(Map.of("pipeline_id", "not a number")).build();
        CloudEvent fine = Harness.pipeline(4, null);
        Harness.Response refused = h.batch(h.adminToken, List.of(fine, invalid));

        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        JsonNode violation = refused.json().get("violations").get(0);
        assertThat(violation.get("where").asText()).isEqualTo("[1].data/pipeline_id");
        assertThat(violation.get("rule").asText()).contains("integer");
        assertThat(storedIds()).doesNotContain(fine.getId(), invalid.getId());
    }

    @Test
    void invalidEnvelopeNamesEveryAttribute() {
        byte[] body = "{\"specversion\":\"1.0\",\"id\":\"\",\"type\":\"ci.pipeline.created\",\"time\":\"yesterday\"}"
                .getBytes(StandardCharsets.UTF_8);

        Harness.Response response = h.send("POST", "/v1/events", h.adminToken, JsonEvents.STRUCTURED, body);

        assertThat(response.status()).isEqualTo(400);
        JsonNode problem = response.json();
        assertThat(problem.get("type").asText()).isEqualTo("urn:herald:problem:invalid-event");
        assertThat(problem.get("status").asInt()).isEqualTo(400);
        assertThat(problem.get("violations")).extracting(v -> v.get("where").asText())
                .contains("source", "id", "time");
    }

    @Test
    void batchViolationsNameTheIndex() {
        byte[] body = "[{\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"/s\",\"type\":\"ci.pipeline.created\"},{\"id\":\"b\"}]"
                .getBytes(StandardCharsets.UTF_8);

        Harness.Response response = h.send("POST", "/v1/events", h.adminToken, JsonEvents.BATCH, body);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("violations")).extracting(v -> v.get("where").asText())
                .contains("[1].specversion", "[1].source", "[1].type");
    }

    @Test
    void schemaViolationInBinaryModeNamesTheDataPointer() {
        Harness.Response response = h.send("POST", "/v1/events", h.adminToken, "application/json",
                "{\"pipeline_id\": true}".getBytes(StandardCharsets.UTF_8),
                "ce-specversion", "1.0", "ce-id", "bad-1", "ce-source", "/s", "ce-type", "ci.pipeline.created",
                "ce-time", "2026-11-25T10:00:00Z");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("violations").get(0).get("where").asText()).isEqualTo("data/pipeline_id");
    }

    @Test
    void unknownTypeIsRefused() {
        CloudEvent event = dev.herald.event.EventBuilder.create().type("no.such.type").source("/s")
                .data(Map.of("x", 1)).build();

        Harness.Response response = h.structured(h.adminToken, event);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body()).contains("no schema is registered for this type");
    }

    @Test
    void tooLargeBodiesAre413() {
        String padding = "x".repeat(70 * 1024);
        byte[] big = ("{\"specversion\":\"1.0\",\"id\":\"big\",\"source\":\"/s\",\"type\":\"ci.pipeline.created\","
                + "\"data\":{\"pipeline_id\":1,\"pad\":\"" + padding + "\"}}").getBytes(StandardCharsets.UTF_8);
        Harness.Response structured = h.send("POST", "/v1/events", h.adminToken, JsonEvents.STRUCTURED, big);
        assertThat(structured.status()).as(structured.toString()).isEqualTo(413);
        assertThat(structured.json().get("detail").asText()).contains("65536");

        List<CloudEvent> many = IntStream.range(0, 51).mapToObj(i -> Harness.pipeline(i, null)).toList();
        Harness.Response batch = h.batch(h.adminToken, many);
        assertThat(batch.status()).as(batch.toString()).isEqualTo(413);
        assertThat(batch.json().get("detail").asText()).contains("at most 50 events");

        byte[] hugeBatch = ("[" + "{\"x\":\"" + "y".repeat(300 * 1024) + "\"}]").getBytes(StandardCharsets.UTF_8);
        Harness.Response huge = h.send("POST", "/v1/events", h.adminToken, JsonEvents.BATCH, hugeBatch);
        assertThat(huge.status()).as(huge.toString()).isEqualTo(413);
    }

    @Test
    void wrongMediaTypesAre415AndJsonWithoutHeadersIs400() {
        Harness.Response text = h.send("POST", "/v1/events", h.adminToken, "text/plain",
                "hello".getBytes(StandardCharsets.UTF_8));
        assertThat(text.status()).isEqualTo(415);
        assertThat(text.header("Accept-Post")).contains(JsonEvents.STRUCTURED);

        Harness.Response xmlData = h.send("POST", "/v1/events", h.adminToken, "application/xml",
                "<a/>".getBytes(StandardCharsets.UTF_8), "ce-specversion", "1.0", "ce-id", "x", "ce-source", "/s",
                "ce-type", "ci.pipeline.created");
        assertThat(xmlData.status()).isEqualTo(415);

        Harness.Response bare = h.send("POST", "/v1/events", h.adminToken, "application/json",
                JsonEvents.write(Harness.pipeline(9, null)));
        assertThat(bare.status()).isEqualTo(400);
        assertThat(bare.json().get("detail").asText()).contains(JsonEvents.STRUCTURED);
    }

    @Test
    void repostingTheSameEventIsAcceptedWithoutASecondCopy() {
        CloudEvent event = Harness.pipeline(100, null);
        assertThat(h.structured(h.adminToken, event).status()).isEqualTo(202);

        Harness.Response again = h.structured(h.adminToken, event);
        Harness.Response inBatch = h.batch(h.adminToken, List.of(event, Harness.pipeline(101, null)));

        assertThat(again.status()).isEqualTo(202);
        assertThat(ids(again.json().get("duplicates"))).containsExactly(event.getId());
        assertThat(inBatch.status()).isEqualTo(202);
        assertThat(ids(inBatch.json().get("duplicates"))).containsExactly(event.getId());
        assertThat(storedIds()).filteredOn(event.getId()::equals).hasSize(1);
    }

    @Test
    void concurrentRepostsStoreOneCopy() throws Exception {
        CloudEvent event = Harness.pipeline(200, null);
        List<Future<Harness.Response>> responses = new ArrayList<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 16; i++) {
                responses.add(pool.submit(() -> h.structured(h.adminToken, event)));
            }
        }
        int duplicates = 0;
        for (Future<Harness.Response> response : responses) {
            assertThat(response.get().status()).isEqualTo(202);
            duplicates += response.get().json().get("duplicates").size();
        }
        assertThat(duplicates).isEqualTo(15);
        assertThat(storedIds()).filteredOn(event.getId()::equals).hasSize(1);
    }

    @Test
    void deduplicationKeysSurviveARestartAndAreHashed() throws Exception {
        Path other = Files.createTempDirectory(dir, "restart");
        CloudEvent event = Harness.pipeline(300, null);
        String admin;
        try (Harness first = Harness.start(other)) {
            admin = first.adminToken;
            assertThat(first.structured(admin, event).status()).isEqualTo(202);
        }
        try (Harness second = Harness.start(other)) {
            Harness.Response again = second.structured(admin, event);
            assertThat(ids(again.json().get("duplicates"))).containsExactly(event.getId());
        }
        byte[] db = Files.readAllBytes(other.resolve("server.db"));
        assertThat(new String(db, StandardCharsets.ISO_8859_1)).doesNotContain(admin);
    }
}
