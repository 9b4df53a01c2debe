package dev.herald.transport.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.event.EventBuilder;
import dev.herald.event.JsonEvents;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.LogEntry;
import dev.herald.transport.LogPage;
import dev.herald.transport.LogQuery;
import io.cloudevents.CloudEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the conformance kit cannot reach: the log order across transaction ids of different lengths. */
class LogReaderTest {

    @Test
    void pagesFollowTransactionIdsAsNumbersNotAsText() throws Exception {
        try (TestDatabase database = TestDatabase.create();
             PostgresTransport transport = PostgresTransport.open(database.jdbcUrl(), database.options())) {
            CloudEvent newest = event("newest");
            transport.publish("events", EncodedEvent.all(List.of(newest)));
            // Old transaction ids of 3 and 4 digits: as text, "1000" would sort before "999".
            CloudEvent nines = event("xid-999");
            CloudEvent thousand = event("xid-1000");
            insert(database, 1000, thousand);
            insert(database, 999, nines);

            // The log is read below the cluster-wide horizon: a transaction open elsewhere on the same
            // PostgreSQL (another database's work included) hides the newest event until it ends.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(allPagesOneByOne(transport))
                    .containsExactly(nines.getId(), thousand.getId(), newest.getId()));
        }
    }

    private static List<String> allPagesOneByOne(PostgresTransport transport) {
        List<String> ids = new ArrayList<>();
        LogQuery query = LogQuery.of("events").withLimit(1);
        for (LogPage page = transport.query(query); ; page = transport.query(query)) {
            page.entries().stream().map(LogEntry::event).forEach(e -> ids.add(e.getId()));
            query = query.withAfter(page.cursor());
            if (!page.more()) {
                return ids;
            }
        }
    }

    private static CloudEvent event(String subject) {
        return EventBuilder.create().type("ci.pipeline.created").source("urn:test").subject(subject)
                .data(Map.of("subject", subject)).build();
    }

    private static void insert(TestDatabase database, long xid, CloudEvent event) throws Exception {
        String json = new String(JsonEvents.write(event), StandardCharsets.UTF_8).replace("'", "''");
        database.execute("INSERT INTO ${s}.events (topic_id, xid, type, data) VALUES ((SELECT id FROM ${s}.topics"
                + " WHERE name = 'events'), '" + xid + "'::xid8, 'ci.pipeline.created', convert_to('" + json
                + "', 'UTF8'))");
    }
}
