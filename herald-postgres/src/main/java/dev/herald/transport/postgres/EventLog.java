package dev.herald.transport.postgres;

import dev.herald.event.HeraldAttributes;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.StartPosition;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.jackson.JsonFormat;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code events} table and its topics: appends events, and turns a {@link StartPosition} into a
 * subscription position.
 *
 * <p>A topic's log order is {@code (xid, seq)}: by writing transaction, then by insert order within
 * it. A subscription reads it only below the <em>horizon</em>, the oldest transaction id still in
 * progress ({@code pg_snapshot_xmin(pg_current_snapshot())}). Below the horizon the log is final:
 * every transaction there has ended, and any transaction that writes later has an id at or above the
 * horizon. So a position that only ever moves forward never passes an event that commits later,
 * however commits and sequence numbers interleave.
 */
final class EventLog {

    /**
     * An event ready to store, as the core encoded it, with the attributes queries filter on; built by
     * the publishing thread before it takes a connection.
     */
    record Row(byte[] json, String orderingKey, String type, String project, String subject, String source,
               OffsetDateTime time) {

        static Row of(EncodedEvent encoded) {
            CloudEvent event = encoded.event();
            return new Row(encoded.json(), encoded.orderingKey(), event.getType(),
                    HeraldAttributes.project(event).orElse(null), event.getSubject(),
                    event.getSource() == null ? null : event.getSource().toString(),
                    event.getTime() == null ? null : event.getTime().withOffsetSameInstant(ZoneOffset.UTC));
        }

        /** Binds the row to an {@link #insert} statement. */
        void bind(PreparedStatement statement, int topicId) throws SQLException {
            statement.setInt(1, topicId);
            statement.setString(2, orderingKey);
            statement.setBytes(3, json);
            statement.setString(4, type);
            statement.setString(5, project);
            statement.setString(6, subject);
            statement.setString(7, source);
            statement.setObject(8, time);
        }
    }

    /** One publish call's rows for a topic, written together with other calls' in a group commit. */
    record Append(int topicId, List<Row> rows) {
    }

    /**
     * A subscription position: the last log position already pulled, and the filters a start
     * position needs (a snapshot whose committed events are skipped, a first publish time).
     */
    record Position(long cursorXid, long cursorSeq, String skipSnapshot, Instant startTime) {
    }

    private static final EventFormat FORMAT = new JsonFormat();

    private final Db db;
    private final String insert;
    private final String insertReturningXid;
    private final String currentXid;
    /** Topic ids by name; topics are never deleted, so an id once known stays right. */
    private final ConcurrentHashMap<String, Integer> topicIds = new ConcurrentHashMap<>();

    /** @param watchKey the first key of the advisory lock an outbox transaction takes ({@link CommitWatch#lockSql}) */
    EventLog(Db db, int watchKey) {
        this.db = db;
        this.insert = db.sql("INSERT INTO ${s}.events (topic_id, ordering_key, data, type, project, subject, source,"
                + " event_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        this.insertReturningXid = insert + " RETURNING xid::text, " + CommitWatch.lockSql(watchKey, "xid");
        this.currentXid = "SELECT x::text, " + CommitWatch.lockSql(watchKey, "x") + " FROM pg_current_xact_id() AS x";
    }

    /**
     * Writes rows to a topic on the given connection, inside its transaction; the caller commits.
     * Batched: with {@code reWriteBatchedInserts} the driver sends multi-row inserts.
     */
    void append(Connection connection, int topicId, List<Row> rows) throws SQLException {
        append(connection, List.of(new Append(topicId, rows)));
    }

    /**
     * Writes the rows of several publish calls, possibly to several topics, on the given connection
     * in one batch (one multi-row insert with {@code reWriteBatchedInserts}); the caller commits.
     */
    void append(Connection connection, List<Append> appends) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(insert)) {
            for (Append append : appends) {
                for (Row row : append.rows()) {
                    row.bind(statement, append.topicId());
                    statement.addBatch();
                }
            }
            statement.executeBatch();
        }
    }

    /**
     * {@link #append}s rows in the caller's transaction and returns the transaction's id, which the
     * outbox needs to learn of the commit, after taking the transaction's lock for {@link CommitWatch}.
     * One event, the usual outbox case, takes one round trip.
     */
    long appendInTransaction(Connection connection, int topicId, List<Row> rows) throws SQLException {
        if (rows.size() != 1) {
            append(connection, topicId, rows);
            return lockedXid(connection);
        }
        try (PreparedStatement statement = connection.prepareStatement(insertReturningXid)) {
            rows.getFirst().bind(statement, topicId);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return Long.parseUnsignedLong(rs.getString(1));
            }
        }
    }

    /**
     * The id of the transaction running on {@code connection} (assigning one if it has none yet),
     * once the transaction took its {@link CommitWatch} lock.
     */
    private long lockedXid(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(currentXid);
             ResultSet rs = select.executeQuery()) {
            rs.next();
            return Long.parseUnsignedLong(rs.getString(1));
        }
    }

    /**
     * The id of a topic, creating the topic in a transaction of its own when it is new: an outbox
     * publish must not make the caller's transaction wait on, or hold, a new topic's row.
     */
    int topicId(String topic) {
        Integer known = topicIds.get(topic);
        if (known != null) {
            return known;
        }
        int id = db.durable("creating topic " + topic, connection -> {
            try (PreparedStatement create = connection.prepareStatement(db.sql(
                    "INSERT INTO ${s}.topics (name) VALUES (?) ON CONFLICT (name) DO NOTHING"));
                 PreparedStatement select = connection.prepareStatement(db.sql(
                    "SELECT id FROM ${s}.topics WHERE name = ?"))) {
                create.setString(1, topic);
                create.executeUpdate();
                select.setString(1, topic);
                try (ResultSet rs = select.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
        topicIds.put(topic, id);
        return id;
    }

    /**
     * The position that makes a subscription of {@code topicId} start at {@code start}:
     * <ul>
     *   <li>earliest — before everything;</li>
     *   <li>latest — at the horizon, skipping what the current snapshot sees as committed: events
     *       committed before now are skipped whatever their transaction id, events committed after
     *       are delivered whatever their transaction id;</li>
     *   <li>an instant — before the first log position published at or after it (or the horizon,
     *       if lower: a transaction still open may yet write such an event), skipping events
     *       published before the instant.</li>
     * </ul>
     */
    Position positionFor(Connection connection, int topicId, StartPosition start) throws SQLException {
        return switch (start) {
            case StartPosition.Earliest earliest -> new Position(0, 0, null, null);
            case StartPosition.Latest latest -> {
                try (PreparedStatement select = connection.prepareStatement(
                        "SELECT pg_snapshot_xmin(s)::text, s::text FROM pg_current_snapshot() AS s");
                     ResultSet rs = select.executeQuery()) {
                    rs.next();
                    yield new Position(Long.parseUnsignedLong(rs.getString(1)), 0, rs.getString(2), null);
                }
            }
            case StartPosition.At at -> {
                long horizon = horizon(connection);
                try (PreparedStatement first = connection.prepareStatement(db.sql("""
                        SELECT xid::text, seq FROM ${s}.events WHERE topic_id = ? AND published_at >= ?
                        ORDER BY xid, seq LIMIT 1"""))) {
                    first.setInt(1, topicId);
                    first.setObject(2, Db.timestamp(at.timestamp()));
                    try (ResultSet rs = first.executeQuery()) {
                        if (rs.next() && Long.compareUnsigned(Long.parseUnsignedLong(rs.getString(1)), horizon) < 0) {
                            yield new Position(Long.parseUnsignedLong(rs.getString(1)), rs.getLong(2) - 1, null,
                                    at.timestamp());
                        }
                    }
                }
                yield new Position(horizon, 0, null, at.timestamp());
            }
        };
    }

    private static long horizon(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT pg_snapshot_xmin(pg_current_snapshot())::text");
             ResultSet rs = select.executeQuery()) {
            rs.next();
            return Long.parseUnsignedLong(rs.getString(1));
        }
    }

    /**
     * Reads a stored event. Through the SDK's format rather than {@link JsonEvents#readEvent}: a
     * transport returns what was published and applies no envelope rules of its own.
     */
    static CloudEvent read(byte[] json) {
        return FORMAT.deserialize(json);
    }
}
