package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-token token buckets: 429 with Retry-After, other tokens unaffected. */
class RateLimitTest {

    @TempDir
    Path dir;

    @Test
    void overTheLimitIs429WithRetryAfterPerToken() {
        try (Harness h = Harness.start(dir, Map.of("auth.rate-limit", "0.5", "auth.rate-burst", "3"))) {
            String reader = h.createToken("reader", List.of("subscribe:*"), null);
            for (int i = 0; i < 3; i++) {
                assertThat(h.get("/v1/events", reader).status()).isEqualTo(200);
            }

            Harness.Response limited = h.get("/v1/events", reader);

            assertThat(limited.status()).isEqualTo(429);
            assertThat(Integer.parseInt(limited.header("Retry-After"))).isBetween(1, 2);
            assertThat(limited.json().get("detail").asText()).contains("rate limit");
            String other = h.createToken("other", List.of("subscribe:*"), null);
            assertThat(h.get("/v1/events", other).status()).as("another token has its own bucket").isEqualTo(200);
            assertThat(h.get("/healthz", null).status()).as("public routes are not limited").isEqualTo(200);
        }
    }
}
