package dev.herald.server.subscriptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.cloudevents.CloudEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /v1/subscriptions/{id}/dead-letters: list (paged), show, redrive one/many/all, discard. */
class DeadLetterApiTest {

    @TempDir
    Path dir;

    private Sink sink;
    private TestServer server;
    private Api api;
    private String id;
    private final List<CloudEvent> events = new ArrayList<>();

    @BeforeEach
    void fiveDeadLetters() {
        sink = new Sink();
        server = new TestServer(dir, TestServer.settings().build());
        api = server.admin();
        sink.respond(500);
        id = api.post("/v1/subscriptions", Map.of("types", List.of(TestEvents.PIPELINE_CREATED),
                "sink", sink.url(), "delivery", Map.of("maxAttempts", 1))).text("id");
        for (int i = 0; i < 5; i++) {
            events.add(server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED)));
        }
        await().untilAsserted(() -> assertThat(total()).isEqualTo(5));
        sink.respond(200);
        sink.clear();
    }

    @AfterEach
    void stop() {
        server.close();
        sink.close();
    }

    private long total() {
        return api.get("/v1/subscriptions/" + id + "/dead-letters").body().path("total").asLong();
    }

    private List<JsonNode> all() {
        List<JsonNode> items = new ArrayList<>();
        api.get("/v1/subscriptions/" + id + "/dead-letters?limit=500").body().path("items").forEach(items::add);
        return items;
    }

    private Set<String> received(int count) {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < count; i++) {
            ids.add(sink.next().header("ce-id"));
        }
        return ids;
    }

    @Test
    void listIsPagedOldestFirst() {
        List<String> seen = new ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            JsonNode page = api.get("/v1/subscriptions/" + id + "/dead-letters?limit=2"
                    + (after == null ? "" : "&after=" + after)).body();
            page.path("items").forEach(item -> seen.add(item.path("eventId").asText()));
            assertThat(page.path("total").asLong()).isEqualTo(5);
            after = page.path("next").isNull() ? null : page.path("next").asText();
            pages++;
        } while (after != null);

        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactlyInAnyOrderElementsOf(events.stream().map(CloudEvent::getId).toList());
        JsonNode first = all().getFirst();
        assertThat(first.path("type").asText()).isEqualTo(TestEvents.PIPELINE_CREATED);
        assertThat(first.path("attempts").asInt()).isEqualTo(1);
        assertThat(first.path("lastError").asText()).contains("HTTP 500");
        assertThat(first.path("deadAt").asText()).isNotBlank();
        assertThat(first.has("event")).isFalse();
        assertThat(api.get("/v1/subscriptions/" + id + "/dead-letters?include=event").body().path("items").get(0)
                .path("event").path("id").asText()).isEqualTo(first.path("eventId").asText());
    }

    @Test
    void showOneWithItsEvent() {
        JsonNode listed = all().get(2);

        Api.Response shown = api.get("/v1/subscriptions/" + id + "/dead-letters/" + listed.path("id").asText());

        assertThat(shown.status()).isEqualTo(200);
        assertThat(shown.body().path("eventId").asText()).isEqualTo(listed.path("eventId").asText());
        assertThat(shown.body().path("event").path("type").asText()).isEqualTo(TestEvents.PIPELINE_CREATED);
        assertThat(shown.body().path("event").path("data").isObject()).isTrue();
        assertThat(api.get("/v1/subscriptions/" + id + "/dead-letters/no-such").status()).isEqualTo(404);
    }

    @Test
    void redriveOneManyAndAllDeliversThemAgain() {
        List<JsonNode> letters = all();

        Api.Response one = api.post("/v1/subscriptions/" + id + "/dead-letters/" + letters.get(0).path("id").asText()
                + "/redrive", null);
        assertThat(one.body().path("redriven").asInt()).isEqualTo(1);
        assertThat(received(1)).containsExactly(letters.get(0).path("eventId").asText());

        Api.Response many = api.post("/v1/subscriptions/" + id + "/dead-letters/redrive", Map.of("ids",
                List.of(letters.get(1).path("id").asText(), letters.get(2).path("id").asText())));
        assertThat(many.body().path("redriven").asInt()).isEqualTo(2);
        assertThat(received(2)).containsExactlyInAnyOrder(letters.get(1).path("eventId").asText(),
                letters.get(2).path("eventId").asText());

        Api.Response rest = api.post("/v1/subscriptions/" + id + "/dead-letters/redrive", Map.of("all", true));
        assertThat(rest.body().path("redriven").asInt()).isEqualTo(2);
        assertThat(received(2)).hasSize(2);
        await().untilAsserted(() -> assertThat(total()).isZero());
        sink.expectNothing(Duration.ofMillis(300));
    }

    @Test
    void discardRemovesWithoutDelivering() {
        List<JsonNode> letters = all();

        assertThat(api.delete("/v1/subscriptions/" + id + "/dead-letters/" + letters.get(0).path("id").asText())
                .status()).isEqualTo(204);
        Api.Response many = api.post("/v1/subscriptions/" + id + "/dead-letters/discard", Map.of("ids",
                List.of(letters.get(1).path("id").asText(), letters.get(2).path("id").asText())));
        assertThat(many.body().path("discarded").asInt()).isEqualTo(2);
        assertThat(total()).isEqualTo(2);
        assertThat(api.post("/v1/subscriptions/" + id + "/dead-letters/discard", Map.of("all", true)).body()
                .path("discarded").asInt()).isEqualTo(2);

        assertThat(total()).isZero();
        sink.expectNothing(Duration.ofMillis(300));
    }

    @Test
    void aBodyWithoutIdsIsRefused() {
        Api.Response response = api.post("/v1/subscriptions/" + id + "/dead-letters/redrive", Map.of());

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body().path("violations").get(0).path("where").asText()).isEqualTo("ids");
        assertThat(total()).isEqualTo(5);
    }
}
