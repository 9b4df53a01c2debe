package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.server.config.ServerConfig;
import dev.herald.transport.LogPage;
import dev.herald.transport.LogQuery;
import dev.herald.transport.embedded.EmbeddedTransport;
import io.cloudevents.CloudEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** First start, the bootstrap admin token, readiness, and graceful shutdown. */
class LifecycleTest {

    @TempDir
    Path dir;

    @Test
    void firstStartPrintsAnAdminTokenOnceAndStoresOnlyItsHash() throws Exception {
        String token;
        try (Harness first = Harness.start(dir)) {
            token = first.adminToken;
            assertThat(token).startsWith("hrld_").hasSizeGreaterThan(5 + 12 + 1 + 42);
            assertThat(first.firstStartOutput).contains("shown only this once");
            assertThat(first.get("/v1/whoami", token).json().get("scopes").get(0).asText()).isEqualTo("admin");
        }
        try (Harness second = Harness.start(dir)) {
            assertThat(second.firstStartOutput).isEmpty();
            assertThat(second.get("/v1/whoami", token).status()).isEqualTo(200);
        }
        String db = new String(Files.readAllBytes(dir.resolve("server.db")), StandardCharsets.ISO_8859_1);
        String wal = Files.exists(dir.resolve("server.db-wal"))
                ? new String(Files.readAllBytes(dir.resolve("server.db-wal")), StandardCharsets.ISO_8859_1) : "";
        assertThat(db + wal).doesNotContain(token).doesNotContain(token.substring(18));
    }

    @Test
    void heraldAdminTokenBecomesTheAdminTokenAtFirstStartOnly() {
        String chosen = "my-own-admin-token-that-is-long-enough-1234";
        try (Harness first = Harness.start(dir, Map.of(), chosen)) {
            assertThat(first.firstStartOutput).contains("set from HERALD_ADMIN_TOKEN").doesNotContain(chosen);
            assertThat(first.get("/v1/tokens", chosen).status()).isEqualTo(200);
            assertThat(first.get("/v1/tokens", chosen + "x").status()).isEqualTo(401);
        }
        try (Harness second = Harness.start(dir, Map.of(), "another-token-given-later-0123456789abcdef")) {
            assertThat(second.get("/v1/tokens", "another-token-given-later-0123456789abcdef").status()).isEqualTo(401);
            assertThat(second.get("/v1/tokens", chosen).status()).isEqualTo(200);
        }
    }

    @Test
    void aShortHeraldAdminTokenIsRefused() {
        assertThatThrownBy(() -> ServerConfig.defaults().withInitialAdminToken("short"))
                .hasMessageContaining("at least 32 characters");
    }

    @Test
    void theLastAdminTokenCannotBeRevoked() {
        try (Harness h = Harness.start(dir)) {
            String id = h.get("/v1/whoami", h.adminToken).json().get("id").asText();
            Harness.Response refused = h.send("DELETE", "/v1/tokens/" + id, h.adminToken, null, null);
            assertThat(refused.status()).isEqualTo(409);
            String second = h.createToken("second admin", List.of("admin"), null);
            assertThat(h.send("DELETE", "/v1/tokens/" + id, second, null, null).status()).isEqualTo(204);
            assertThat(h.get("/v1/tokens", h.adminToken).status()).isEqualTo(401);
        }
    }

    @Test
    void aSecondServerOnTheSameDataDirectoryFailsAndLeavesNothingOpen() {
        try (Harness h = Harness.start(dir)) {
            assertThatThrownBy(() -> Harness.start(dir)).hasMessageContaining("events.db");
            assertThat(h.get("/readyz", null).status()).isEqualTo(200);
        }
    }

    @Test
    void shutdownDrainsRequestsInFlightAndLosesNoAcceptedEvent() throws Exception {
        Harness h = Harness.start(dir, Map.of(), Harness.FIXED_ADMIN);
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch running = new CountDownLatch(8);
        List<Thread> publishers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            publishers.add(Thread.ofVirtual().start(() -> {
                running.countDown();
                for (int i = 0; !stop.get(); i++) {
                    CloudEvent event = Harness.pipeline(thread * 1_000_000 + i, null);
                    try {
                        if (h.structured(h.adminToken, event).status() == 202) {
                            accepted.add(event.getId());
                        }
                    } catch (RuntimeException e) {
                        return; // connection refused once stopped
                    }
                }
            }));
        }
        running.await();
        while (accepted.size() < 50) {
            Thread.sleep(10);
        }
        long start = System.nanoTime();
        h.close();
        long stopMillis = (System.nanoTime() - start) / 1_000_000;
        stop.set(true);
        for (Thread publisher : publishers) {
            publisher.join();
        }
        try (EmbeddedTransport store = EmbeddedTransport.open(dir.resolve("events.db"))) {
            Set<String> stored = new HashSet<>();
            LogQuery query = LogQuery.of("events").withLimit(1000);
            for (LogPage page = store.query(query); ; page = store.query(query = query.withAfter(page.cursor()))) {
                page.entries().forEach(e -> stored.add(e.event().getId()));
                if (!page.more()) {
                    break;
                }
            }
            assertThat(stored).containsAll(accepted);
        }
        assertThat(stopMillis).as("graceful stop time").isLessThan(5_000);
    }
}
