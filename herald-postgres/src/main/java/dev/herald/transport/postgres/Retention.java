package dev.herald.transport.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Deletes events older than {@link PostgresOptions#retentionMaxAge()} from the log.
 *
 * <p>Like the embedded store, and unlike Kafka, retention never deletes an event a subscription
 * still needs: one after its cursor, or one still in its deliveries (waiting, in flight or waiting
 * for a retry). Herald promises that every event reaches every subscription at least once; silently
 * dropping a slow subscription's backlog would break that where nobody notices. The price: a
 * subscription that is never consumed keeps its topic's events. Its backlog shows in
 * {@code stats}; deleting the subscription lets retention catch up. Dead letters keep their own copy
 * of the event and do not hold the log.
 *
 * <p>One run deletes at most {@link #CHUNK} events per statement, so that it never holds many row
 * locks or a long transaction; the transport runs it again at once while it had a full chunk.
 */
final class Retention {

    /** At most this many events are deleted per statement. */
    static final int CHUNK = 5_000;

    private final String topics;
    private final String delete;
    private final long maxAgeMicros;

    Retention(Db db, PostgresOptions options) {
        this.maxAgeMicros = Db.micros(options.retentionMaxAge());
        this.topics = db.sql("SELECT id FROM ${s}.topics ORDER BY id");
        // Per topic, through the (topic_id, published_at) index, oldest first.
        this.delete = db.sql("""
                DELETE FROM ${s}.events WHERE seq IN (
                    SELECT e.seq FROM ${s}.events e
                    WHERE e.topic_id = ? AND e.published_at < clock_timestamp() - ? * interval '1 microsecond'
                      AND NOT EXISTS (SELECT 1 FROM ${s}.subscriptions s
                                      WHERE s.topic_id = e.topic_id AND (e.xid, e.seq) > (s.cursor_xid, s.cursor_seq))
                      AND NOT EXISTS (SELECT 1 FROM ${s}.subscriptions s JOIN ${s}.deliveries d
                                        ON d.subscription_id = s.id AND d.seq = e.seq
                                      WHERE s.topic_id = e.topic_id)
                    ORDER BY e.published_at LIMIT ?)""");
    }

    /** The topics to go through. */
    List<Integer> topics(Connection connection) throws SQLException {
        List<Integer> ids = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(topics); ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                ids.add(rs.getInt(1));
            }
        }
        return ids;
    }

    /** Deletes up to {@link #CHUNK} expired events of a topic that no subscription needs; returns how many. */
    int run(Connection connection, int topicId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(delete)) {
            statement.setInt(1, topicId);
            statement.setLong(2, maxAgeMicros);
            statement.setInt(3, CHUNK);
            return statement.executeUpdate();
        }
    }
}
