package dev.herald.transport.embedded;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes old events from the log, by age and by the store's size.
 *
 * <p><b>Age</b> never deletes an event a subscription still needs: one it has not read yet (after its
 * cursor) or one still in its deliveries (waiting, in flight or waiting for a retry). Herald promises
 * that every event reaches every subscription at least once and that nothing acknowledged is lost;
 * silently dropping a slow subscription's backlog by age would break that where nobody notices.
 *
 * <p><b>Size</b> is a hard limit: it protects the disk, which a subscription nobody reads would
 * otherwise fill. It first deletes the oldest events no subscription needs; while the store is still
 * too large, it deletes the oldest events even if subscriptions still need them. Each such
 * subscription then skips them: its cursor moves past them, its deliveries of them are removed, and
 * its {@code dropped} count (shown as {@link dev.herald.transport.SubscriptionStats#droppedByRetention()})
 * grows by the number it lost, with a log line naming it. Counting is all the transport does about
 * it; what a lagging subscription means to its owner is the server's business. Topics without
 * subscriptions are retained only by the limits. Dead letters and redriven deliveries keep their own
 * copy of the event and neither hold the log nor lose their event.
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

    /** Every event up to a sequence, oldest first across topics, with the size of its JSON. */
    private static final String OLDEST_OF_ALL = "SELECT seq, length(data) FROM events ORDER BY seq LIMIT ?";
    /** Per subscription, what deleting every event up to a sequence takes from it. */
    private static final String LOSSES = """
            SELECT s.id, s.name,
                   (SELECT COUNT(*) FROM events e WHERE e.topic_id = s.topic_id AND e.seq > s.cursor AND e.seq <= ?1)
                   + (SELECT COUNT(*) FROM deliveries d
                      WHERE d.subscription_id = s.id AND d.seq <= ?1 AND d.redriven_event IS NULL)
            FROM subscriptions s""";
    private static final String SKIP = """
            UPDATE subscriptions SET dropped = dropped + ?, cursor = MAX(cursor, ?) WHERE id = ?""";
    private static final String DROP_DELIVERIES = "DELETE FROM deliveries WHERE seq <= ? AND redriven_event IS NULL";
    private static final String DROP_EVENTS = "DELETE FROM events WHERE seq <= ?";

    private static final Logger LOG = LoggerFactory.getLogger(Retention.class);

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
        if (excess > 0 && deleted < budget) {
            deleted += dropNeeded(tx, excess, budget - deleted);
        }
        return deleted;
    }

    /**
     * The store is still too large with only needed events left: deletes the oldest events of all,
     * each step every event up to one sequence, and makes the subscriptions that needed them skip
     * them and count them.
     */
    private int dropNeeded(SqliteWriter.Tx tx, long excess, int budget) throws SQLException {
        List<Candidate> oldest = new ArrayList<>();
        PreparedStatement select = tx.prepare(OLDEST_OF_ALL);
        select.setInt(1, budget);
        try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                oldest.add(new Candidate(rs.getLong(1), rs.getLong(2)));
            }
        }
        int deleted = 0;
        while (excess > 0 && deleted < oldest.size()) {
            long step = 0;
            long upTo;
            do {
                Candidate candidate = oldest.get(deleted++);
                upTo = candidate.seq();
                step += candidate.bytes();
            } while (step < excess / 2 && deleted < oldest.size());
            skip(tx, upTo);
            PreparedStatement deliveries = tx.prepare(DROP_DELIVERIES);
            deliveries.setLong(1, upTo);
            deliveries.executeUpdate();
            PreparedStatement events = tx.prepare(DROP_EVENTS);
            events.setLong(1, upTo);
            events.executeUpdate();
            excess = usedBytes(tx) - maxBytes;
        }
        return deleted;
    }

    /** Moves every subscription past the events up to {@code upTo}, counting those it had not finished. */
    private static void skip(SqliteWriter.Tx tx, long upTo) throws SQLException {
        PreparedStatement losses = tx.prepare(LOSSES);
        losses.setLong(1, upTo);
        PreparedStatement update = tx.prepare(SKIP);
        try (ResultSet rs = losses.executeQuery()) {
            while (rs.next()) {
                long lost = rs.getLong(3);
                update.setLong(1, lost);
                update.setLong(2, upTo);
                update.setLong(3, rs.getLong(1));
                update.addBatch();
                if (lost > 0) {
                    LOG.warn("retention: the store is over its size limit, subscription {} lost {} events it had "
                            + "not consumed", rs.getString(2), lost);
                }
            }
        }
        update.executeBatch();
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
