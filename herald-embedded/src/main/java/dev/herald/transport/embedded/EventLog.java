package dev.herald.transport.embedded;

import dev.herald.event.JsonEvents;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.LogEntry;
import dev.herald.transport.StartPosition;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.jackson.JsonFormat;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The append-only {@code events} table: one row per published event with its topic, publish time,
 * ordering key and structured JSON form. Subscriptions read it through their cursors
 * ({@link DeliveryQueue}); only {@link Retention} deletes from it.
 *
 * <p>Publish times never decrease along the sequence: the writer stamps them, and stamps a batch no
 * earlier than the one before, even if the wall clock stepped back. So a start position "at an
 * instant" is a single sequence number, found by binary search without an index on time.
 */
final class EventLog {

    private static final EventFormat FORMAT = new JsonFormat();

    /** Writer-thread state: the publish time of the newest batch. */
    private long lastPublishedAt;
    /**
     * Writer-thread state: the ids of topics known to be committed. Topics are never deleted, so an
     * id stays valid once its insert is committed; it is cached only then, since the id of a
     * rolled-back insert would point nowhere.
     */
    private final Map<String, Long> committedTopicIds = new HashMap<>();

    EventLog(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT COALESCE(MAX(published_at), 0) FROM events");
             ResultSet rs = select.executeQuery()) {
            lastPublishedAt = rs.getLong(1);
        }
    }

    /** Appends rows to a topic, all with one publish time; wakes the topic's consumers after commit. */
    void append(SqliteWriter.Tx tx, String topic, List<EncodedEvent> rows) throws SQLException {
        Long committed = committedTopicIds.get(topic);
        long topicId = committed != null ? committed : createTopic(tx, topic);
        if (committed == null) {
            tx.afterCommit(() -> committedTopicIds.put(topic, topicId));
        }
        long publishedAt = Math.max(Sqlite.nowNanos(), lastPublishedAt);
        PreparedStatement insert = tx.prepare(
                "INSERT INTO events (topic_id, published_at, ordering_key, data) VALUES (?, ?, ?, ?)");
        for (EncodedEvent row : rows) {
            insert.setLong(1, topicId);
            insert.setLong(2, publishedAt);
            insert.setString(3, row.orderingKey());
            insert.setBytes(4, row.json());
            insert.addBatch();
        }
        insert.executeBatch();
        lastPublishedAt = publishedAt;
        tx.wake(topicId);
    }

    /** The id of a topic, creating the topic when it is new. */
    static long createTopic(SqliteWriter.Tx tx, String topic) throws SQLException {
        OptionalLong existing = topicId(tx.prepare("SELECT id FROM topics WHERE name = ?"), topic);
        if (existing.isPresent()) {
            return existing.getAsLong();
        }
        PreparedStatement insert = tx.prepare("INSERT INTO topics (name) VALUES (?) RETURNING id");
        insert.setString(1, topic);
        try (ResultSet rs = insert.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Reads a stored event. Through the SDK's format rather than {@link JsonEvents#readEvent}: a
     * transport returns what was published and applies no envelope rules of its own.
     */
    static CloudEvent read(byte[] json) {
        return FORMAT.deserialize(json);
    }

    /** Up to {@code limit} events of a topic with a sequence above {@code afterSeq}, in sequence order. */
    static List<LogEntry> read(Connection connection, String topic, long afterSeq, int limit) throws SQLException {
        List<LogEntry> entries = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT seq, published_at, data FROM events"
                        + " WHERE topic_id = (SELECT id FROM topics WHERE name = ?) AND seq > ? ORDER BY seq LIMIT ?")) {
            select.setString(1, topic);
            select.setLong(2, afterSeq);
            select.setInt(3, limit);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    entries.add(new LogEntry(Long.toString(rs.getLong(1)), Sqlite.toInstant(rs.getLong(2)), read(rs.getBytes(3))));
                }
            }
        }
        return entries;
    }

    /**
     * The cursor (last sequence already consumed) that makes a subscription start at
     * {@code position}: reading continues with the first event whose sequence is above it.
     */
    static long cursorFor(Connection connection, StartPosition position) throws SQLException {
        return switch (position) {
            case StartPosition.Earliest earliest -> 0;
            case StartPosition.Latest latest -> lastSeq(connection);
            case StartPosition.At at -> firstSeqAtOrAfter(connection, Sqlite.toNanos(at.timestamp())) - 1;
        };
    }

    private static long lastSeq(Connection connection) throws SQLException {
        // sqlite_sequence keeps the highest sequence ever assigned, also when retention deleted it.
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0)");
             ResultSet rs = select.executeQuery()) {
            return rs.getLong(1);
        }
    }

    /**
     * The lowest sequence published at or after {@code nanos}, or one past the last when none is:
     * a lower-bound binary search over the sequence, valid because publish times never decrease.
     */
    static long firstSeqAtOrAfter(Connection connection, long nanos) throws SQLException {
        long low = 1;
        long high = lastSeq(connection) + 1;
        try (PreparedStatement next = connection.prepareStatement(
                "SELECT seq, published_at FROM events WHERE seq >= ? ORDER BY seq LIMIT 1")) {
            while (low < high) {
                long middle = low + (high - low) / 2;
                next.setLong(1, middle);
                try (ResultSet rs = next.executeQuery()) {
                    if (!rs.next()) {
                        high = middle;
                    } else if (rs.getLong(2) >= nanos) {
                        high = middle;
                    } else {
                        low = rs.getLong(1) + 1;
                    }
                }
            }
        }
        return low;
    }

    private static OptionalLong topicId(PreparedStatement select, String topic) throws SQLException {
        select.setString(1, topic);
        try (ResultSet rs = select.executeQuery()) {
            return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
        }
    }
}
