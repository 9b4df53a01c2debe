package dev.herald.transport.embedded;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Deletes old events from the log, by age and by the store's size.
 *
 * <p>Unlike Kafka, retention never deletes an event a subscription still needs: one it has not read
 * yet (after its cursor) or one still in its deliveries (waiting, in flight or waiting for a retry).
 * Herald promises that every event reaches every subscription at least once and that nothing
 * acknowledged is lost; an embedded store has no operator watching consumer lag, so silently
 * dropping a slow subscription's backlog would break that promise where nobody notices. The price:
 * a subscription that is never consumed keeps its topic's events, and the size limit is exceeded.
 * Its backlog shows in {@code stats}; deleting the subscription lets retention catch up. Topics
 * without subscriptions are retained only by the limits. Dead letters keep their own copy of the
 * event and do not hold the log.
 *
 * <p>The size limit applies to the pages in use in the database file (free pages are reused, the
 * file does not shrink). One run deletes at most {@link #CHUNK} events so that it never holds the
 * writer for long; the transport runs it again at once while it has more to do.
 */
final class Retention {

    /** At most this many events are deleted per run (one writer transaction). */
    static final int CHUNK = 5_000;

    /** Per topic, the lowest sequence some subscription of the topic still needs. */
    private static final String FLOORS = """
            SELECT t.id, MIN(MIN(s.cursor + 1, COALESCE(
                       (SELECT MIN(d.seq) FROM deliveries d WHERE d.subscription_id = s.id), s.cursor + 1)))
            FROM topics t LEFT JOIN subscriptions s ON s.topic_id = t.id GROUP BY t.id""";
    private static final String USED_BYTES = """
            SELECT (p.page_count - f.freelist_count) * s.page_size
            FROM pragma_page_count() p, pragma_freelist_count() f, pragma_page_size() s""";
    private static final String OLDEST = """
            SELECT seq, length(data) FROM events WHERE topic_id = ? AND seq < ? ORDER BY seq LIMIT ?""";
    private static final String DELETE_BELOW = """
            DELETE FROM events WHERE seq IN (
                SELECT seq FROM events WHERE topic_id = ? AND seq < ? ORDER BY seq LIMIT ?)""";

    private final long maxAgeNanos;
    private final long maxBytes;

    Retention(EmbeddedOptions options) {
        this.maxAgeNanos = Sqlite.delayNanos(options.retentionMaxAge());
        this.maxBytes = options.retentionMaxBytes();
    }

    /** Deletes up to {@link #CHUNK} events past a limit and needed by no subscription; returns how many. */
    int run(SqliteWriter.Tx tx) throws SQLException {
        Map<Long, Long> floors = floors(tx);
        int deleted = deleteByAge(tx, floors);
        if (deleted < CHUNK && maxBytes != Long.MAX_VALUE) {
            deleted += deleteBySize(tx, floors, CHUNK - deleted);
        }
        return deleted;
    }

    /** Topic id to the first sequence that must stay; {@link Long#MAX_VALUE} for a topic nobody reads. */
    private static Map<Long, Long> floors(SqliteWriter.Tx tx) throws SQLException {
        Map<Long, Long> floors = new HashMap<>();
        try (ResultSet rs = tx.prepare(FLOORS).executeQuery()) {
            while (rs.next()) {
                long topicId = rs.getLong(1);
                long floor = rs.getLong(2);
                floors.put(topicId, rs.wasNull() ? Long.MAX_VALUE : floor);
            }
        }
        return floors;
    }

    private int deleteByAge(SqliteWriter.Tx tx, Map<Long, Long> floors) throws SQLException {
        // Publish times never decrease along the sequence, so "too old" is "below one sequence".
        long cutoff = Sqlite.nowNanos() - maxAgeNanos;
        long tooOldBelow = EventLog.firstSeqAtOrAfter(tx.connection(), cutoff);
        PreparedStatement delete = tx.prepare(DELETE_BELOW);
        int deleted = 0;
        for (Map.Entry<Long, Long> topic : floors.entrySet()) {
            if (deleted == CHUNK) {
                break;
            }
            delete.setLong(1, topic.getKey());
            delete.setLong(2, Math.min(topic.getValue(), tooOldBelow));
            delete.setInt(3, CHUNK - deleted);
            deleted += delete.executeUpdate();
        }
        return deleted;
    }

    /**
     * Deletes the oldest deletable events, across topics, until the store is within its size. What
     * deleting a row frees (its overflow pages, its index entries) is only known afterwards, so it
     * deletes rows worth half the excess at a time and measures again.
     */
    private int deleteBySize(SqliteWriter.Tx tx, Map<Long, Long> floors, int budget) throws SQLException {
        long excess = usedBytes(tx) - maxBytes;
        if (excess <= 0) {
            return 0;
        }
        List<Candidate> candidates = oldestDeletable(tx, floors, budget);
        PreparedStatement delete = tx.prepare("DELETE FROM events WHERE seq = ?");
        int deleted = 0;
        while (excess > 0 && deleted < candidates.size()) {
            long step = 0;
            do {
                Candidate candidate = candidates.get(deleted++);
                delete.setLong(1, candidate.seq());
                delete.addBatch();
                step += candidate.bytes();
            } while (step < excess / 2 && deleted < candidates.size());
            delete.executeBatch();
            excess = usedBytes(tx) - maxBytes;
        }
        return deleted;
    }

    private static long usedBytes(SqliteWriter.Tx tx) throws SQLException {
        try (ResultSet rs = tx.prepare(USED_BYTES).executeQuery()) {
            return rs.getLong(1);
        }
    }

    /** An event retention may delete, with the size of its JSON. */
    private record Candidate(long seq, long bytes) {
    }

    /** Up to {@code budget} events no subscription needs, oldest first across topics. */
    private static List<Candidate> oldestDeletable(SqliteWriter.Tx tx, Map<Long, Long> floors, int budget)
            throws SQLException {
        List<Candidate> candidates = new ArrayList<>();
        PreparedStatement oldest = tx.prepare(OLDEST);
        for (Map.Entry<Long, Long> topic : floors.entrySet()) {
            oldest.setLong(1, topic.getKey());
            oldest.setLong(2, topic.getValue());
            oldest.setInt(3, budget);
            try (ResultSet rs = oldest.executeQuery()) {
                while (rs.next()) {
                    candidates.add(new Candidate(rs.getLong(1), rs.getLong(2)));
                }
            }
        }
        candidates.sort(Comparator.comparingLong(Candidate::seq));
        return candidates.subList(0, Math.min(budget, candidates.size()));
    }
}
