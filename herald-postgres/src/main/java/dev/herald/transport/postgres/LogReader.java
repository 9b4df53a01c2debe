package dev.herald.transport.postgres;

import dev.herald.transport.InvalidCursorException;
import dev.herald.transport.LogEntry;
import dev.herald.transport.LogFilter;
import dev.herald.transport.LogPage;
import dev.herald.transport.LogQuery;
import dev.herald.transport.TypeGlob;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link dev.herald.transport.Transport#query} in one SQL statement: the filter becomes a
 * {@code WHERE} clause over the columns copied out of each event at insert (indexed by type, project
 * and event time), and a page is the first rows after the cursor in log order {@code (xid, seq)}.
 *
 * <p>Like a subscription, a query reads only below the horizon (the oldest transaction still open,
 * see {@link EventLog}), so a cursor never passes an event that commits later: paging and polling
 * with cursors neither repeats nor skips. The same price applies: an event shows once every
 * transaction that began writing before it has ended.
 *
 * <p>The cursor is the last row's {@code <xid>-<seq>}. Every row a page reads matches the filter, so
 * the page examines no more rows than it returns: the query's {@code maxScan} only caps the page.
 */
final class LogReader {

    private static final Pattern CURSOR = Pattern.compile("(\\d{1,20})-(\\d{1,19})");

    private final Db db;

    LogReader(Db db) {
        this.db = db;
    }

    LogPage page(LogQuery query, String transport) {
        List<Object> values = new ArrayList<>();
        String sql = select(query, transport, values);
        int rows = (int) values.getLast();
        return db.autoCommit("querying topic " + query.topic(), connection -> {
            List<LogEntry> entries = new ArrayList<>();
            String cursor = query.after() == null ? "0-0" : query.after();
            try (PreparedStatement select = connection.prepareStatement(sql)) {
                for (int i = 0; i < values.size(); i++) {
                    select.setObject(i + 1, values.get(i));
                }
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        long seq = rs.getLong(2);
                        entries.add(new LogEntry(Long.toString(seq), rs.getObject(3, OffsetDateTime.class).toInstant(),
                                EventLog.read(rs.getBytes(4))));
                        cursor = rs.getString(1) + "-" + seq;
                    }
                }
            }
            LogPage.End end = entries.size() == query.limit() ? LogPage.End.FULL
                    : entries.size() == rows ? LogPage.End.SCAN_LIMIT : LogPage.End.CAUGHT_UP;
            return new LogPage(entries, cursor, end, entries.size());
        });
    }

    /**
     * The page's statement; {@code values} receives its parameters, the last being the row limit.
     *
     * @throws InvalidCursorException when the query's cursor is not an {@code <xid>-<seq>}
     */
    String select(LogQuery query, String transport, List<Object> values) {
        long[] after = cursor(query.after(), transport);
        StringBuilder sql = new StringBuilder(db.sql("""
                SELECT xid::text AS xid_text, seq, published_at, data FROM ${s}.events
                WHERE topic_id = (SELECT id FROM ${s}.topics WHERE name = ?)
                  AND xid < pg_snapshot_xmin(pg_current_snapshot())
                  AND (xid, seq) > (?::text::xid8, ?)"""));
        values.add(query.topic());
        values.add(Long.toUnsignedString(after[0]));
        values.add(after[1]);
        where(query.filter(), sql, values);
        // xid_text, not xid: ORDER BY would take an output column named xid, and text order is not numeric.
        sql.append(" ORDER BY xid, seq LIMIT ?");
        values.add(Math.min(query.limit(), query.maxScan()));
        return sql.toString();
    }

    /** Appends the filter's conditions; every value is a bound parameter. */
    static void where(LogFilter filter, StringBuilder sql, List<Object> values) {
        if (!filter.types().isEmpty()) {
            StringJoiner any = new StringJoiner(" OR ", " AND (", ")");
            for (TypeGlob glob : filter.types()) {
                if (glob.isExact()) {
                    any.add("type = ?");
                    values.add(glob.glob());
                } else {
                    any.add("type LIKE ?");
                    values.add(like(glob));
                }
            }
            sql.append(any);
        }
        equal(sql, values, "project", filter.project());
        equal(sql, values, "subject", filter.subject());
        equal(sql, values, "source", filter.source());
        if (filter.timeFrom() != null) {
            sql.append(" AND event_time >= ?");
            values.add(filter.timeFrom().atOffset(ZoneOffset.UTC));
        }
        if (filter.timeTo() != null) {
            sql.append(" AND event_time < ?");
            values.add(filter.timeTo().atOffset(ZoneOffset.UTC));
        }
    }

    /**
     * A glob as a {@code LIKE} pattern: {@code *} is {@code %}, and {@code _}, which the type grammar
     * allows, is escaped ({@code \} is {@code LIKE}'s default escape; the grammar has no {@code %} or {@code \}).
     */
    static String like(TypeGlob glob) {
        return glob.glob().replace("_", "\\_").replace('*', '%');
    }

    private static void equal(StringBuilder sql, List<Object> values, String column, String value) {
        if (value != null) {
            sql.append(" AND ").append(column).append(" = ?");
            values.add(value);
        }
    }

    /** The {@code (xid, seq)} after which a page starts: the origin for no cursor. */
    private static long[] cursor(String text, String transport) {
        if (text == null) {
            return new long[] {0, 0};
        }
        Matcher matcher = CURSOR.matcher(text);
        if (matcher.matches()) {
            try {
                return new long[] {Long.parseUnsignedLong(matcher.group(1)), Long.parseLong(matcher.group(2))};
            } catch (NumberFormatException e) {
                // out of range: reported below
            }
        }
        throw new InvalidCursorException(text, transport);
    }
}
