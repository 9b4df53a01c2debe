package dev.herald.server.subscriptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What one token may hold ({@link SubscriptionLimits}): subscriptions, open streams, un-acked events
 * per stream, and the expiry of PULL subscriptions nobody reads.
 */
class SubscriptionLimitsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private TestServer server;
    private final List<SseClient> streams = new ArrayList<>();

    @AfterEach
    void stop() {
        streams.forEach(SseClient::close);
        if (server != null) {
            server.close();
        }
    }

    private void start(SubscriptionLimits limits, Clock clock) {
        server = new TestServer(dir, TestServer.settings().limits(limits).clock(clock).build());
        server.token("alice", TestPrincipal.subscriber("tok_alice", "ci.*"));
        server.token("bob", TestPrincipal.subscriber("tok_bob", "ci.*"));
    }

    private static Map<String, Object> pull() {
        return Map.of("protocol", "PULL", "types", List.of(TestEvents.PIPELINE_CREATED));
    }

    private SseClient connect(String token, String id, String query) {
        SseClient stream = SseClient.connect(server.url().resolve("/v1/subscriptions/" + id + "/stream" + query),
                token, null);
        streams.add(stream);
        return stream;
    }

    @Test
    void aTokenCreatesAtMostItsShareOfSubscriptions() {
        start(new SubscriptionLimits(2, 10, 1000, Duration.ZERO), Clock.systemUTC());
        Api alice = server.api("alice");
        String first = alice.post("/v1/subscriptions", pull()).text("id");
        assertThat(alice.post("/v1/subscriptions", pull()).status()).isEqualTo(201);

        Api.Response refused = alice.post("/v1/subscriptions", pull());

        assertThat(refused.status()).as("%s", refused).isEqualTo(429);
        assertThat(refused.body().path("violations").get(0).path("where").asText())
                .isEqualTo("limits.subscriptions-per-token");
        assertThat(refused.body().path("detail").asText()).contains("2 subscriptions");
        assertThat(server.admin().get("/v1/subscriptions").body().path("items")).as("nothing stored").hasSize(2);
        assertThat(server.api("bob").post("/v1/subscriptions", pull()).status()).as("another token").isEqualTo(201);
        assertThat(alice.delete("/v1/subscriptions/" + first).status()).isEqualTo(204);
        assertThat(alice.post("/v1/subscriptions", pull()).status()).as("after a delete").isEqualTo(201);
    }

    @Test
    void aTokenHoldsAtMostItsShareOfStreamsAndUnackedEvents() {
        start(new SubscriptionLimits(10, 1, 50, Duration.ZERO), Clock.systemUTC());
        Api alice = server.api("alice");
        String one = alice.post("/v1/subscriptions", pull()).text("id");
        String two = alice.post("/v1/subscriptions", pull()).text("id");

        Api.Response tooMany = alice.get("/v1/subscriptions/" + one + "/stream?maxOutstanding=51");
        assertThat(tooMany.status()).as("%s", tooMany).isEqualTo(400);
        assertThat(tooMany.body().path("violations").get(0).path("where").asText()).isEqualTo("maxOutstanding");
        assertThat(tooMany.body().path("violations").get(0).path("rule").asText())
                .isEqualTo("must be at most 50 (setting limits.max-outstanding)");

        SseClient open = connect("alice", one, "?maxOutstanding=50");
        assertThat(open.status()).isEqualTo(200);
        SseClient refused = connect("alice", two, "");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(connect("bob", server.api("bob").post("/v1/subscriptions", pull()).text("id"), "").status())
                .as("another token's stream").isEqualTo(200);

        open.close();
        await().atMost(WAIT).untilAsserted(() -> {
            SseClient again = connect("alice", two, "");
            assertThat(again.status()).as("once the first stream ended").isEqualTo(200);
        });
    }

    @Test
    void pullSubscriptionsNobodyReadsExpireAcrossRestarts() {
        MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
        SubscriptionLimits limits = new SubscriptionLimits(10, 10, 1000, Duration.ofSeconds(2));
        start(limits, clock);
        Api admin = server.admin();
        String unread = admin.post("/v1/subscriptions", pull()).text("id");
        String read = admin.post("/v1/subscriptions", pull()).text("id");
        String webhook = admin.post("/v1/subscriptions", Map.of("sink", "http://127.0.0.1:9/hook",
                "types", List.of(TestEvents.PIPELINE_CREATED))).text("id");

        clock.advance(Duration.ofMillis(1500));
        SseClient stream = connect(TestServer.ADMIN, read, "");
        assertThat(stream.status()).isEqualTo(200);
        stream.close();
        clock.advance(Duration.ofMillis(1000));

        await().atMost(WAIT).untilAsserted(() ->
                assertThat(admin.get("/v1/subscriptions/" + unread).status()).isEqualTo(404));
        assertThat(admin.get("/v1/subscriptions/" + read).status()).as("read 1 s ago").isEqualTo(200);
        assertThat(admin.get("/v1/subscriptions/" + webhook).status()).as("webhooks never expire").isEqualTo(200);

        server.restart(TestServer.settings().limits(limits).clock(clock).build());
        clock.advance(Duration.ofMillis(500));   // 3 s after creation, at most 1.5 s after the last read
        sleep(Duration.ofMillis(2500));         // a few expiry runs
        assertThat(admin.get("/v1/subscriptions/" + read).status()).as("the read survived the restart")
                .isEqualTo(200);

        clock.advance(Duration.ofSeconds(3));   // the stream's end (also a read) may have been seen after the 2nd move
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(admin.get("/v1/subscriptions/" + read).status()).isEqualTo(404));
        assertThat(admin.get("/v1/subscriptions/" + webhook).status()).isEqualTo(200);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A clock the test moves. */
    private static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
