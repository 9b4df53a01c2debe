package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.event.EventBuilder;
import dev.herald.event.JsonEvents;
import io.cloudevents.CloudEvent;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /v1/events: filters, cursor pagination, project restriction, scan budget, formats. */
class QueryTest {

    static final String P = "gid://gitlab/Project/1";
    static final String Q = "gid://gitlab/Project/2";

    @TempDir
    static Path dir;
    static Harness h;
    static List<CloudEvent> published = new ArrayList<>();

    @BeforeAll
    static void start() {
        h = Harness.start(dir, Map.of("query.max-scan", "10"));
        OffsetDateTime t0 = OffsetDateTime.of(2026, 11, 1, 0, 0, 0, 0, ZoneOffset.UTC);
        List<CloudEvent> events = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            CloudEvent pipeline = Harness.pipeline(i, i % 2 == 0 ? P : Q);
            events.add(EventBuilder.from(pipeline).time(t0.plusHours(i)).build());
        }
        for (int i = 0; i < 5; i++) {
            events.add(Harness.push(P));
        }
        assertThat(h.batch(h.adminToken, events).status()).isEqualTo(202);
        published.addAll(events);
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("events").forEach(e -> ids.add(e.get("id").asText()));
        return ids;
    }

    /** Follows cursors until a page says there is no more. */
    static List<String> all(String query, String token, int limit) {
        List<String> ids = new ArrayList<>();
        String cursor = null;
        for (int pages = 0; pages < 100; pages++) {
            Harness.Response response = h.get("/v1/events?limit=" + limit + query
                    + (cursor == null ? "" : "&cursor=" + cursor), token);
            assertThat(response.status()).as(response.toString()).isEqualTo(200);
            JsonNode page = response.json();
            assertThat(page.get("events").size()).isLessThanOrEqualTo(limit);
            ids.addAll(ids(page));
            cursor = page.get("cursor").asText();
            if (!page.get("more").asBoolean()) {
                return ids;
            }
        }
        throw new AssertionError("no end after 100 pages");
    }

    @Test
    void pagesThroughEverythingExactlyOnceInOrder() {
        List<String> ids = all("", h.adminToken, 7);

        assertThat(ids).containsExactlyElementsOf(published.stream().map(CloudEvent::getId).toList());
    }

    @Test
    void filtersByTypeGlobProjectSubjectAndTime() {
        assertThat(all("&type=repository.*", h.adminToken, 100)).hasSize(5);
        assertThat(all("&type=ci.pipeline.created&project=" + enc(Q), h.adminToken, 100)).hasSize(12);
        assertThat(all("&subject=" + enc("pipeline/3"), h.adminToken, 100)).containsExactly(published.get(3).getId());
        List<String> window = all("&type=ci.*&from=" + enc("2026-11-01T05:00:00Z") + "&to=" + enc("2026-11-01T08:00:00Z"),
                h.adminToken, 100);
        assertThat(window).containsExactly(published.get(5).getId(), published.get(6).getId(), published.get(7).getId());
    }

    @Test
    void restrictedTokenOnlyEverSeesItsProject() {
        String restricted = h.createToken("p only", List.of("subscribe:*"), P);

        List<String> seen = all("", restricted, 4);

        List<String> expected = new ArrayList<>();
        String cursor = "";
        JsonNode page;
        do {
            page = h.get("/v1/events?limit=1000" + cursor, h.adminToken).json();
            page.get("events").forEach(e -> {
                if (P.equals(e.path("project").asText())) {
                    expected.add(e.get("id").asText());
                }
            });
            cursor = "&cursor=" + page.get("cursor").asText();
        } while (page.get("more").asBoolean());
        assertThat(seen).hasSizeGreaterThanOrEqualTo(13 + 5).containsExactlyElementsOf(expected);
    }

    @Test
    void sparseFiltersGiveShortPagesWithinTheScanBudget() {
        Harness.Response first = h.get("/v1/events?type=repository.push&limit=100", h.adminToken);

        // 10 stored events examined (query.max-scan): none of the pushes (positions 26-30) yet, but a cursor.
        assertThat(first.json().get("events")).isEmpty();
        assertThat(first.json().get("more").asBoolean()).isTrue();
        assertThat(first.header("Link")).contains("rel=\"next\"");
        Harness.Response second = h.get("/v1/events?type=repository.push&limit=100&cursor="
                + first.json().get("cursor").asText(), h.adminToken);
        assertThat(second.json().get("events")).isEmpty();
    }

    @Test
    void theCursorAtTheEndPicksUpNewEvents() {
        String query = "&subject=" + enc("late");
        Harness.Response end = h.get("/v1/events?limit=100" + query, h.adminToken);
        while (end.json().get("more").asBoolean()) {
            end = h.get("/v1/events?limit=100" + query + "&cursor=" + end.json().get("cursor").asText(), h.adminToken);
        }
        CloudEvent late = EventBuilder.from(Harness.pipeline(99, P)).subject("late").build();
        h.structured(h.adminToken, late);

        Harness.Response next = h.get("/v1/events?limit=100" + query + "&cursor=" + end.json().get("cursor").asText(),
                h.adminToken);

        assertThat(ids(next.json())).containsExactly(late.getId());
    }

    @Test
    void badParametersAre400WithEveryViolation() {
        Harness.Response response = h.get("/v1/events?limit=0&from=yesterday&cursor=nonsense&type=" + enc("a b"),
                h.adminToken);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("violations")).extracting(v -> v.get("where").asText())
                .containsExactlyInAnyOrder("limit", "from", "cursor", "type");
    }

    @Test
    void aCursorCannotBeReusedWithOtherFilters() {
        String cursor = h.get("/v1/events?type=ci.*&limit=2", h.adminToken).json().get("cursor").asText();

        Harness.Response response = h.get("/v1/events?type=repository.*&cursor=" + cursor, h.adminToken);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body()).contains("other filters");
    }

    @Test
    void batchFormatOnRequest() {
        Harness.Response response = h.get("/v1/events?limit=3", h.adminToken, "Accept", JsonEvents.BATCH);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).startsWith(JsonEvents.BATCH);
        assertThat(new JsonEvents().readBatch(response.body().getBytes(StandardCharsets.UTF_8))).hasSize(3);
        assertThat(response.header("Herald-Cursor")).isNotBlank();
    }
}
