package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.event.JsonEvents;
import dev.herald.server.auth.Authenticator;
import dev.herald.transport.LogQuery;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Issue 10, hole 6 over real HTTP: control characters are refused at intake, an unverified token id is
 * never logged, and failed authentications are rate-limited per client address.
 */
class LogForgingTest {

    @TempDir
    Path dir;

    @Test
    void controlCharactersInIdSourceAndContentTypeAreRefusedNamingTheAttribute() {
        try (Harness h = Harness.start(dir)) {
            byte[] structured = ("{\"specversion\":\"1.0\",\"id\":\"a\\nINFO forged\",\"source\":\"/s\","
                    + "\"type\":\"ci.pipeline.created\",\"datacontenttype\":\"application/json; x=\\u0007\","
                    + "\"data\":{\"pipeline_id\":1}}").getBytes(StandardCharsets.UTF_8);
            Harness.Response refused = h.send("POST", "/v1/events", h.adminToken, JsonEvents.STRUCTURED, structured);

            assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
            assertThat(violation(refused, "id").get("rule").asText())
                    .isEqualTo("must not contain control characters (U+0000-U+001F, U+007F-U+009F); found U+000A at index 1");
            assertThat(violation(refused, "datacontenttype").get("rule").asText()).contains("found U+0007 at index 20");

            Harness.Response source = h.send("POST", "/v1/events", h.adminToken, JsonEvents.STRUCTURED,
                    new String(structured, StandardCharsets.UTF_8).replace("a\\nINFO forged", "a")
                            .replace("\"/s\"", "\"/s\\r\"").getBytes(StandardCharsets.UTF_8));
            assertThat(source.status()).as(source.toString()).isEqualTo(400);
            assertThat(violation(source, "source").get("rule").asText()).contains("URI-reference");

            Harness.Response binary = h.send("POST", "/v1/events", h.adminToken, "application/json",
                    "{\"pipeline_id\": 1}".getBytes(StandardCharsets.UTF_8), "ce-specversion", "1.0",
                    "ce-id", "b%0D%0Aforged", "ce-source", "/s", "ce-type", "ci.pipeline.created");
            assertThat(binary.status()).as(binary.toString()).isEqualTo(400);
            assertThat(violation(binary, "id").get("rule").asText()).contains("found U+000D at index 1");

            assertThat(h.server.store().transport().query(LogQuery.of("events")).entries()).as("nothing stored")
                    .isEmpty();
        }
    }

    @Test
    void aFailedAuthenticationLogsNoTokenIdAndRepeatedFailuresAre429() {
        Logger logger = (Logger) LoggerFactory.getLogger(Authenticator.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        ch.qos.logback.classic.Level level = logger.getLevel();
        logger.setLevel(ch.qos.logback.classic.Level.INFO);
        try (Harness h = Harness.start(dir, Map.of("auth.failure-rate-limit", "0.1", "auth.failure-burst", "3"))) {
            String forged = "hrld_admin0forged_" + "x".repeat(40);
            for (int i = 0; i < 3; i++) {
                assertThat(h.get("/v1/events", forged).status()).isEqualTo(401);
            }

            Harness.Response limited = h.get("/v1/events", forged);
            assertThat(limited.status()).as(limited.toString()).isEqualTo(429);
            assertThat(Integer.parseInt(limited.header("Retry-After"))).isBetween(1, 10);
            assertThat(limited.json().get("detail").asText()).contains("failed authentications");
            assertThat(h.get("/v1/events", h.adminToken).status())
                    .as("the address is refused before any token is looked at").isEqualTo(429);
            assertThat(h.get("/healthz", null).status()).as("public routes stay open").isEqualTo(200);

            assertThat(logs.list).isNotEmpty();
            assertThat(logs.list).allSatisfy(event -> {
                assertThat(event.getKeyValuePairs()).noneMatch(pair -> pair.key.equals("token_id"));
                assertThat(event.getFormattedMessage() + event.getKeyValuePairs()).doesNotContain("admin0forged");
            });
        } finally {
            logger.detachAppender(logs);
            logger.setLevel(level);
        }
    }

    private static JsonNode violation(Harness.Response response, String where) {
        for (JsonNode v : response.json().get("violations")) {
            if (v.get("where").asText().equals(where)) {
                return v;
            }
        }
        throw new AssertionError("no violation at " + where + " in " + response);
    }
}
