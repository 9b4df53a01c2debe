package dev.herald.server.subscriptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.cloudevents.CloudEvent;
import java.net.URI;
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

/** Streaming pull over Server-Sent Events: messages, acks, nacks, ack deadlines, reconnects. */
class PullStreamTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private TestServer server;
    private Api api;
    private final List<SseClient> streams = new ArrayList<>();

    @BeforeEach
    void start() {
        server = new TestServer(dir, TestServer.settings().build());
        api = server.admin();
    }

    @AfterEach
    void stop() {
        streams.forEach(SseClient::close);
        server.close();
    }

    private String pull(Map<String, Object> delivery) {
        Api.Response created = api.post("/v1/subscriptions", Map.of("protocol", "PULL",
                "types", List.of(TestEvents.PIPELINE_CREATED), "delivery", delivery));
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        assertThat(created.body().has("secret")).isFalse();
        return created.text("id");
    }

    private SseClient connect(String id, String lastEventId) {
        SseClient stream = SseClient.connect(server.url().resolve("/v1/subscriptions/" + id + "/stream"),
                TestServer.ADMIN, lastEventId);
        streams.add(stream);
        assertThat(stream.status()).isEqualTo(200);
        return stream;
    }

    private Api.Response ack(String id, String... eventIds) {
        return api.post("/v1/subscriptions/" + id + "/acks", Map.of("ids", List.of(eventIds)));
    }

    @Test
    void eventsArriveAsSseMessagesAndAcksSettleThem() throws Exception {
        String id = pull(Map.of());
        SseClient stream = connect(id, null);
        assertThat(stream.contentType()).startsWith("text/event-stream");

        CloudEvent first = server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED, "gid://gitlab/Project/7"));
        server.publish(TestEvents.of(TestEvents.PUSH));   // filtered out by types
        CloudEvent second = server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED));

        SseClient.Message one = stream.next(WAIT);
        SseClient.Message two = stream.next(WAIT);
        assertThat(one.id()).isEqualTo(first.getId());
        assertThat(one.event()).isEqualTo(TestEvents.PIPELINE_CREATED);
        JsonNode data = Api.MAPPER.readTree(one.data());
        assertThat(data.path("id").asText()).isEqualTo(first.getId());
        assertThat(data.path("specversion").asText()).isEqualTo("1.0");
        assertThat(data.path("project").asText()).isEqualTo("gid://gitlab/Project/7");
        assertThat(data.path("data")).isEqualTo(Api.MAPPER.readTree(first.getData().toBytes()));
        assertThat(two.id()).isEqualTo(second.getId());

        JsonNode shown = api.get("/v1/subscriptions/" + id).body();
        assertThat(shown.path("stats").path("streams").asInt()).isEqualTo(1);
        assertThat(shown.path("stats").path("unacked").asInt()).isEqualTo(2);

        Api.Response acked = ack(id, first.getId(), second.getId(), "no-such-event");
        assertThat(acked.body().path("acked").asInt()).isEqualTo(2);
        assertThat(acked.body().path("unknown").get(0).asText()).isEqualTo("no-such-event");
        await().untilAsserted(() -> assertThat(api.get("/v1/subscriptions/" + id).body().path("stats")
                .path("backlog").asLong()).isZero());
        assertThat(stream.poll(Duration.ofMillis(500))).as("nothing is sent twice").isNull();
        assertThat(stream.comments()).anyMatch(comment -> comment.startsWith("herald subscription " + id));
        assertThat(stream.comments()).contains("keep-alive");
    }

    @Test
    void unackedEventsAreSentAgainAfterADisconnect() {
        String id = pull(Map.of());
        SseClient stream = connect(id, null);
        List<CloudEvent> events = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            events.add(server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED)));
        }
        List<String> received = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            received.add(stream.next(WAIT).id());
        }
        assertThat(received).containsExactlyInAnyOrderElementsOf(events.stream().map(CloudEvent::getId).toList());
        ack(id, events.get(0).getId());
        stream.close();
        await().untilAsserted(() -> assertThat(api.get("/v1/subscriptions/" + id).body().path("stats")
                .path("streams").asInt()).isZero());

        SseClient again = connect(id, received.getLast());
        Set<String> redelivered = new HashSet<>();
        redelivered.add(again.next(WAIT).id());
        redelivered.add(again.next(WAIT).id());

        assertThat(redelivered).containsExactlyInAnyOrder(events.get(1).getId(), events.get(2).getId());
        assertThat(again.poll(Duration.ofMillis(500))).as("the acked event is not sent again").isNull();
        assertThat(again.comments()).anyMatch(comment -> comment.contains("resuming after " + received.getLast()));
    }

    @Test
    void reconnectingWithLastEventIdResumesAfterTheAckedEvents() {
        String id = pull(Map.of());
        SseClient stream = connect(id, null);
        CloudEvent first = server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED));
        CloudEvent second = server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED));
        stream.next(WAIT);
        stream.next(WAIT);
        ack(id, first.getId(), second.getId());
        stream.close();
        CloudEvent third = server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED));

        SseClient again = connect(id, second.getId());

        assertThat(again.next(WAIT).id()).isEqualTo(third.getId());
        assertThat(again.poll(Duration.ofMillis(500))).isNull();
    }

    @Test
    void anEventNotAckedWithinTheAckDeadlineIsSentAgain() {
        String id = pull(Map.of("ackDeadline", "1s"));
        SseClient stream = connect(id, null);
        CloudEvent event = server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED));

        long start = System.nanoTime();
        assertThat(stream.next(WAIT).id()).isEqualTo(event.getId());
        assertThat(stream.next(WAIT).id()).isEqualTo(event.getId());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));

        assertThat(ack(id, event.getId()).body().path("acked").asInt()).isEqualTo(1);
    }

    @Test
    void nacksRedeliverAndTheLastAttemptGoesToTheDeadLetters() {
        String id = pull(Map.of("maxAttempts", 2));
        SseClient stream = connect(id, null);
        CloudEvent event = server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED));

        assertThat(stream.next(WAIT).id()).isEqualTo(event.getId());
        Api.Response first = api.post("/v1/subscriptions/" + id + "/nacks", Map.of("ids", List.of(event.getId()),
                "delay", "100ms"));
        assertThat(first.body().path("nacked").asInt()).isEqualTo(1);
        assertThat(stream.next(WAIT).id()).isEqualTo(event.getId());
        Api.Response last = api.post("/v1/subscriptions/" + id + "/nacks", Map.of("ids", List.of(event.getId())));
        assertThat(last.body().path("deadLettered").asInt()).isEqualTo(1);

        JsonNode letters = api.get("/v1/subscriptions/" + id + "/dead-letters").body();
        assertThat(letters.path("items").get(0).path("eventId").asText()).isEqualTo(event.getId());
        assertThat(letters.path("items").get(0).path("lastError").asText()).contains("nacked by the client");
        assertThat(api.post("/v1/subscriptions/" + id + "/nacks", Map.of("ids", "x")).status()).isEqualTo(400);
    }

    @Test
    void aPausedSubscriptionStreamsNothingUntilResumed() {
        String id = pull(Map.of());
        SseClient stream = connect(id, null);
        api.post("/v1/subscriptions/" + id + "/pause", null);
        CloudEvent event = server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED));

        assertThat(stream.poll(Duration.ofMillis(600))).isNull();
        api.post("/v1/subscriptions/" + id + "/resume", null);
        assertThat(stream.next(WAIT).id()).isEqualTo(event.getId());
    }

    @Test
    void flowControlStopsAtMaxOutstanding() {
        String id = pull(Map.of());
        SseClient stream = SseClient.connect(server.url().resolve("/v1/subscriptions/" + id
                + "/stream?maxOutstanding=2"), TestServer.ADMIN, null);
        streams.add(stream);
        List<CloudEvent> events = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            events.add(server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED)));
        }
        String a = stream.next(WAIT).id();
        stream.next(WAIT);
        assertThat(stream.poll(Duration.ofMillis(600))).as("two un-acked: the third waits").isNull();

        ack(id, a);
        assertThat(stream.next(WAIT).id()).isNotNull();
    }

    @Test
    void deletingTheSubscriptionEndsItsStreams() {
        String id = pull(Map.of());
        SseClient stream = connect(id, null);

        assertThat(api.delete("/v1/subscriptions/" + id).status()).isEqualTo(204);

        assertThat(stream.awaitEnd(WAIT)).isTrue();
    }

    @Test
    void onlyPullSubscriptionsStream() {
        String hook = api.post("/v1/subscriptions", Map.of("sink", SubscriptionApiTest.PUBLIC_SINK)).text("id");

        SseClient stream = SseClient.connect(server.url().resolve("/v1/subscriptions/" + hook + "/stream"),
                TestServer.ADMIN, null);
        streams.add(stream);
        assertThat(stream.status()).isEqualTo(409);
        assertThat(SseClient.connect(URI.create(server.url() + "v1/subscriptions/nope/stream"), TestServer.ADMIN,
                null).status()).isEqualTo(404);
    }

    @Test
    void ephemeralSubscriptionsAreRemovedOnceNoStreamIsConnected() {
        server.restart(TestServer.settings().ephemeralTtl(Duration.ofMillis(500)).build());
        api = server.admin();
        String id = api.post("/v1/subscriptions", Map.of("protocol", "PULL", "ephemeral", true)).text("id");
        SseClient stream = connect(id, null);
        CloudEvent event = server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED));
        assertThat(stream.next(WAIT).id()).isEqualTo(event.getId());
        assertThat(api.get("/v1/subscriptions/" + id).status()).as("kept while connected").isEqualTo(200);

        stream.close();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(api.get("/v1/subscriptions/" + id).status()).isEqualTo(404));
    }
}
