package dev.herald.transport;

import java.util.ArrayList;
import java.util.List;

/**
 * One page of a topic's stored events, as {@link Transport#query} reads it: the events after a
 * cursor that pass a filter, oldest first.
 *
 * <pre>{@code
 * LogQuery query = LogQuery.of("events")
 *         .withFilter(LogFilter.ALL.withTypes(List.of(new TypeGlob("ci.*"))).withProject("gid://gitlab/Project/1"))
 *         .withLimit(100);
 * for (LogPage page = transport.query(query); ; page = transport.query(query.withAfter(page.cursor()))) {
 *     page.entries().forEach(entry -> show(entry.event()));
 *     if (!page.more()) break;
 * }
 * }</pre>
 *
 * @param topic   the topic to read
 * @param filter  which events to return
 * @param after   a cursor from an earlier {@link LogPage#cursor()} of this topic and transport, or null
 *                to start at the oldest stored event
 * @param limit   the most events the page returns, 1 to {@value #MAX_LIMIT}
 * @param maxScan the most stored events a transport that filters by reading examines for this page (at
 *                least 1), so that a sparse filter answers in bounded time with a short page and a
 *                cursor; a transport that filters natively (indexes) may examine fewer
 */
public record LogQuery(String topic, LogFilter filter, String after, int limit, int maxScan) {

    /** The largest page. */
    public static final int MAX_LIMIT = 10_000;
    /** The default page size of {@link #of}. */
    public static final int DEFAULT_LIMIT = 100;
    /** The default scan budget of {@link #of}. */
    public static final int DEFAULT_MAX_SCAN = 10_000;

    /**
     * @throws IllegalArgumentException naming every broken rule: a blank topic, a null filter, a blank
     *                                  cursor, a limit out of range, a scan budget below 1
     */
    public LogQuery {
        List<String> broken = new ArrayList<>();
        if (topic == null || topic.isBlank()) {
            broken.add("topic: must not be blank");
        }
        if (filter == null) {
            broken.add("filter: must not be null (LogFilter.ALL matches everything)");
        }
        if (after != null && after.isBlank()) {
            broken.add("after: must be null or a cursor, not blank");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            broken.add("limit: must be from 1 to " + MAX_LIMIT + ", not " + limit);
        }
        if (maxScan < 1) {
            broken.add("maxScan: must be at least 1, not " + maxScan);
        }
        if (!broken.isEmpty()) {
            throw new IllegalArgumentException("invalid log query: " + String.join("; ", broken));
        }
    }

    /** The first page of a topic: every event, {@value #DEFAULT_LIMIT} at most, scanning {@value #DEFAULT_MAX_SCAN}. */
    public static LogQuery of(String topic) {
        return new LogQuery(topic, LogFilter.ALL, null, DEFAULT_LIMIT, DEFAULT_MAX_SCAN);
    }

    /** This query with another filter. */
    public LogQuery withFilter(LogFilter value) {
        return new LogQuery(topic, value, after, limit, maxScan);
    }

    /** This query continuing after a cursor (null: from the oldest stored event). */
    public LogQuery withAfter(String cursor) {
        return new LogQuery(topic, filter, cursor, limit, maxScan);
    }

    /** This query with another page size. */
    public LogQuery withLimit(int value) {
        return new LogQuery(topic, filter, after, value, maxScan);
    }

    /** This query with another scan budget. */
    public LogQuery withMaxScan(int value) {
        return new LogQuery(topic, filter, after, limit, value);
    }
}
