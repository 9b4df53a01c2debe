package dev.herald.transport.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.event.EventBuilder;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.LogFilter;
import dev.herald.transport.LogPage;
import dev.herald.transport.LogQuery;
import dev.herald.transport.TypeGlob;
import io.cloudevents.CloudEvent;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code Transport.query} on PostgreSQL against raw SQL on the same table in the same run: a selective
 * page (type + project, the indexed case) and a full read of the topic. The baseline reads the same
 * rows' bytes with the same index and no decoding, so the ratio is what Herald adds (statement
 * building, the horizon, decoding each event). Events: {@code -Dherald.bench.query.events} (default
 * 5,000, a size for the suite; 100,000 for figures).
 */
@Tag("benchmark")
class QueryBenchmarkTest {

    private static final int ROUNDS = 3;

    @Test
    void printsQueryFiguresAgainstRawSql() throws Exception {
        int events = Integer.getInteger("herald.bench.query.events", 5_000);
        try (TestDatabase database = TestDatabase.create();
             PostgresTransport transport = PostgresTransport.open(database.jdbcUrl(), database.options())) {
            for (int from = 0; from < events; from += 500) {
                List<CloudEvent> batch = new ArrayList<>();
                for (int i = from; i < Math.min(events, from + 500); i++) {
                    batch.add(EventBuilder.create().type("bench.type" + i % 5).source("urn:bench")
                            .project("gid://gitlab/Project/" + i % 20).subject("s" + i).data(Map.of("i", i)).build());
                }
                transport.publish("bench", EncodedEvent.all(batch));
            }
            database.execute("ANALYZE ${s}.events");
            LogQuery selective = LogQuery.of("bench").withLimit(100).withFilter(LogFilter.ALL
                    .withTypes(List.of(new TypeGlob("bench.type3"))).withProject("gid://gitlab/Project/8"));
            String rawSelective = "SELECT data FROM " + q(database) + ".events WHERE topic_id = 1 AND type = 'bench.type3'"
                    + " AND project = 'gid://gitlab/Project/8' ORDER BY xid, seq LIMIT 100";
            String rawAll = "SELECT data FROM " + q(database) + ".events WHERE topic_id = 1 ORDER BY xid, seq";
            int calls = 200;
            double heraldPage = Double.MAX_VALUE;
            double rawPage = Double.MAX_VALUE;
            double decodedPage = Double.MAX_VALUE;
            double heraldAll = 0;
            double rawAllRate = 0;
            try (Connection raw = DriverManager.getConnection(database.jdbcUrl())) {
                raw.setAutoCommit(false);
                for (int round = 0; round < ROUNDS; round++) {
                    long start = System.nanoTime();
                    for (int i = 0; i < calls; i++) {
                        assertThat(transport.query(selective).entries()).isNotEmpty();
                    }
                    heraldPage = Math.min(heraldPage, (System.nanoTime() - start) / 1e3 / calls);
                    start = System.nanoTime();
                    for (int i = 0; i < calls; i++) {
                        assertThat(rows(raw, rawSelective)).isPositive();
                    }
                    rawPage = Math.min(rawPage, (System.nanoTime() - start) / 1e3 / calls);
                    start = System.nanoTime();
                    for (int i = 0; i < calls; i++) {
                        assertThat(decoded(raw, rawSelective)).isPositive();
                    }
                    decodedPage = Math.min(decodedPage, (System.nanoTime() - start) / 1e3 / calls);

                    start = System.nanoTime();
                    int read = 0;
                    LogQuery all = LogQuery.of("bench").withLimit(1000);
                    for (LogPage page = transport.query(all); ; page = transport.query(all)) {
                        read += page.entries().size();
                        all = all.withAfter(page.cursor());
                        if (!page.more()) {
                            break;
                        }
                    }
                    assertThat(read).isEqualTo(events);
                    heraldAll = Math.max(heraldAll, events / ((System.nanoTime() - start) / 1e9));
                    start = System.nanoTime();
                    assertThat(rows(raw, rawAll)).isEqualTo(events);
                    rawAllRate = Math.max(rawAllRate, events / ((System.nanoTime() - start) / 1e9));
                }
            }
            System.out.printf("[herald-bench] postgres query, %,d events, best of %d rounds%n", events, ROUNDS);
            LogReader reader = new LogReader(new Db(null, database.schema()));
            for (LogQuery query : List.of(selective, selective.withFilter(LogFilter.ALL.withTypes(
                    List.of(new TypeGlob("bench.type*")))), selective.withFilter(LogFilter.ALL.withTime(
                    java.time.Instant.now().minusSeconds(1), null)))) {
                System.out.println("[herald-bench]   plan for " + query.filter() + ":");
                plan(database, reader, query).forEach(line -> System.out.println("[herald-bench]     " + line));
            }
            System.out.printf("[herald-bench]   page of 100 by type+project: Herald %.0f µs, raw SQL %.0f µs (%.2f× raw),"
                    + " raw SQL + decoding the events %.0f µs (%.2f×)%n", heraldPage, rawPage, heraldPage / rawPage,
                    decodedPage, heraldPage / decodedPage);
            System.out.printf("[herald-bench]   full read in pages of 1,000: Herald %,.0f events/s, raw SQL %,.0f rows/s"
                    + " (%.2f× raw)%n", heraldAll, rawAllRate, heraldAll / rawAllRate);
        }
    }

    /** PostgreSQL's plan for the statement Herald runs for {@code query}. */
    private static List<String> plan(TestDatabase database, LogReader reader, LogQuery query) throws Exception {
        List<Object> values = new ArrayList<>();
        String sql = reader.select(query, "postgres", values);
        List<String> lines = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl());
             PreparedStatement explain = connection.prepareStatement("EXPLAIN " + sql)) {
            for (int i = 0; i < values.size(); i++) {
                explain.setObject(i + 1, values.get(i));
            }
            try (ResultSet rs = explain.executeQuery()) {
                while (rs.next()) {
                    lines.add(rs.getString(1));
                }
            }
        }
        return lines;
    }

    private static String q(TestDatabase database) {
        return '"' + database.schema() + '"';
    }

    /** As {@link #rows}, decoding each event as Herald does. */
    private static int decoded(Connection connection, String sql) throws Exception {
        int rows = 0;
        try (PreparedStatement select = connection.prepareStatement(sql); ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                rows += EventLog.read(rs.getBytes(1)).getId() != null ? 1 : 0;
            }
        }
        connection.commit();
        return rows;
    }

    /** Runs a query streaming its rows (fetch size 1,000) and touches each row's bytes. */
    private static int rows(Connection connection, String sql) throws Exception {
        int rows = 0;
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            select.setFetchSize(1000);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    rows += rs.getBytes(1).length > 0 ? 1 : 0;
                }
            }
        }
        connection.commit();
        return rows;
    }
}
