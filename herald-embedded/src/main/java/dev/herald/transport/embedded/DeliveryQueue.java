package dev.herald.transport.embedded;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-subscription {@code deliveries} table: every event of a subscription from the moment it
 * is pulled from the log until it is acknowledged or dead-lettered.
 *
 * <p>Fan-out happens on read: publishing writes one row to {@code events}, whatever the number of
 * subscriptions. A subscription pulls the next events of its topic into its deliveries lazily, when
 * one of its consumers polls, at most {@link EmbeddedOptions#maxBufferedPerSubscription()} at a
 * time, and advances its cursor (the last sequence pulled) in the same transaction.
 *
 * <p>Handing out a delivery leases it: {@code leased_by} names the consumer and {@code visible_at}
 * becomes the lease expiry, so an expired lease is simply visible again. A lease is identified by
 * (consumer, attempts): settling checks both, so a consumer whose lease expired and was handed to
 * another cannot settle the other's attempt. On an ordered subscription only the head of each
 * ordering key (its lowest sequence still here) is handed out, so a key waits while its head is
 * in flight or waits for a retry, and other keys do not.
 *
 * <p>Every method runs on the writer thread.
 */
final class DeliveryQueue {

    /** One leased delivery, with the event's stored JSON. */
    record Leased(long seq, int attempt, long publishedAt, byte[] event) {
    }

    /**
     * The result of a poll: the deliveries leased, and when none was, the next time something of
     * the subscription becomes visible ({@link Long#MAX_VALUE} when nothing is scheduled).
     */
    record Lease(List<Leased> deliveries, long nextVisibleAt) {
        static final Lease NONE = new Lease(List.of(), Long.MAX_VALUE);
    }

    private static final String STATE =
            "SELECT topic_id, ordered, delay_nanos, cursor FROM subscriptions WHERE id = ?";
    private static final String HAS_NEW = "SELECT 1 FROM events WHERE topic_id = ? AND seq > ? LIMIT 1";
    private static final String BUFFERED = "SELECT COUNT(*) FROM deliveries WHERE subscription_id = ?";
    private static final String PULL_UP_TO =
            "SELECT MAX(seq) FROM (SELECT seq FROM events WHERE topic_id = ? AND seq > ? ORDER BY seq LIMIT ?)";
    // OR IGNORE: after a seek back, an event may still be in flight from before the seek.
    private static final String PULL = """
            INSERT OR IGNORE INTO deliveries (subscription_id, seq, ordering_key, published_at, visible_at)
            SELECT ?, seq, ordering_key, published_at, published_at + ? FROM events
            WHERE topic_id = ? AND seq > ? AND seq <= ?""";
    private static final String ADVANCE = "UPDATE subscriptions SET cursor = ? WHERE id = ?";
    private static final String VISIBLE = """
            SELECT d.seq, d.attempts, d.published_at, COALESCE(d.redriven_event, e.data)
            FROM deliveries d LEFT JOIN events e ON e.seq = d.seq
            WHERE d.subscription_id = ?1 AND d.visible_at <= ?2
            ORDER BY d.seq LIMIT ?3""";
    // The heads are found per key first (one pass over the key index), rather than checking each
    // buffered row against its key's minimum: the buffer may hold thousands of rows of a few keys.
    private static final String VISIBLE_HEADS = """
            SELECT d.seq, d.attempts, d.published_at, COALESCE(d.redriven_event, e.data)
            FROM (SELECT MIN(seq) AS seq FROM deliveries
                  WHERE subscription_id = ?1 AND ordering_key IS NOT NULL GROUP BY ordering_key
                  UNION ALL
                  SELECT seq FROM deliveries WHERE subscription_id = ?1 AND ordering_key IS NULL) heads
            JOIN deliveries d ON d.subscription_id = ?1 AND d.seq = heads.seq
            LEFT JOIN events e ON e.seq = d.seq
            WHERE d.visible_at <= ?2
            ORDER BY d.seq LIMIT ?3""";
    private static final String LEASE = """
            UPDATE deliveries SET leased_by = ?, visible_at = ?, attempts = attempts + 1,
                                  first_attempt_at = COALESCE(first_attempt_at, ?)
            WHERE subscription_id = ? AND seq = ?""";
    private static final String NEXT_VISIBLE =
            "SELECT MIN(visible_at) FROM deliveries WHERE subscription_id = ? AND visible_at > ?";
    private static final String ACK =
            "DELETE FROM deliveries WHERE subscription_id = ? AND seq = ? AND leased_by = ? AND attempts = ?";
    private static final String NACK = """
            UPDATE deliveries SET leased_by = NULL, visible_at = ?
            WHERE subscription_id = ? AND seq = ? AND leased_by = ? AND attempts = ?""";
    private static final String DEAD_LETTER = """
            INSERT INTO dead_letters (subscription_id, seq, ordering_key, published_at, event, attempts,
                                      last_error, first_attempt_at, dead_at)
            SELECT d.subscription_id, d.seq, d.ordering_key, d.published_at, COALESCE(d.redriven_event, e.data),
                   d.attempts, ?, d.first_attempt_at, ?
            FROM deliveries d LEFT JOIN events e ON e.seq = d.seq
            WHERE d.subscription_id = ? AND d.seq = ? AND d.leased_by = ? AND d.attempts = ?""";
    private static final String RELEASE =
            "UPDATE deliveries SET leased_by = NULL, visible_at = ? WHERE subscription_id = ? AND leased_by = ?";
    private static final String RELEASE_ALL =
            "UPDATE deliveries SET leased_by = NULL, visible_at = ? WHERE leased_by IS NOT NULL";

    /** Events pulled from the log at a time, unless a poll wants more. */
    static final int PULL_CHUNK = 1_000;

    private final int maxBuffered;
    private final long ackDeadlineNanos;

    DeliveryQueue(EmbeddedOptions options) {
        this.maxBuffered = options.maxBufferedPerSubscription();
        this.ackDeadlineNanos = Sqlite.delayNanos(options.ackDeadline());
    }

    /**
     * Pulls new events into the subscription and leases up to {@code max} visible deliveries to
     * {@code consumerId}. A deleted subscription has nothing to lease.
     */
    Lease lease(SqliteWriter.Tx tx, long subscriptionId, long consumerId, int max) throws SQLException {
        PreparedStatement state = tx.prepare(STATE);
        state.setLong(1, subscriptionId);
        long topicId;
        boolean ordered;
        long delayNanos;
        long cursor;
        try (ResultSet rs = state.executeQuery()) {
            if (!rs.next()) {
                return Lease.NONE;
            }
            topicId = rs.getLong(1);
            ordered = rs.getBoolean(2);
            delayNanos = rs.getLong(3);
            cursor = rs.getLong(4);
        }
        long now = Sqlite.nowNanos();
        // The buffer first: pulling counts the buffer, a scan of up to maxBuffered rows, which on a
        // backlog cost more than everything else a lease does; so pull only when the buffer runs short.
        List<Leased> leased = visible(tx, subscriptionId, ordered, now, max);
        if (leased.size() < max && pull(tx, subscriptionId, topicId, delayNanos, cursor, max)) {
            leased = visible(tx, subscriptionId, ordered, now, max);
        }
        if (leased.isEmpty()) {
            return new Lease(leased, nextVisibleAt(tx, subscriptionId, now));
        }
        PreparedStatement lease = tx.prepare(LEASE);
        for (Leased delivery : leased) {
            lease.setLong(1, consumerId);
            lease.setLong(2, now + ackDeadlineNanos);
            lease.setLong(3, now);
            lease.setLong(4, subscriptionId);
            lease.setLong(5, delivery.seq());
            lease.addBatch();
        }
        lease.executeBatch();
        return new Lease(leased, Long.MAX_VALUE);
    }

    /** Acknowledges a lease; false when the lease is no longer this consumer's (nothing changes then). */
    boolean ack(SqliteWriter.Tx tx, long subscriptionId, long seq, long consumerId, int attempt) throws SQLException {
        PreparedStatement ack = tx.prepare(ACK);
        ack.setLong(1, subscriptionId);
        ack.setLong(2, seq);
        ack.setLong(3, consumerId);
        ack.setInt(4, attempt);
        return ack.executeUpdate() == 1;
    }

    /** Ends a lease without settling: visible again {@code delayNanos} from now. */
    boolean nack(SqliteWriter.Tx tx, long subscriptionId, long seq, long consumerId, int attempt, long delayNanos)
            throws SQLException {
        PreparedStatement nack = tx.prepare(NACK);
        nack.setLong(1, Sqlite.nowNanos() + delayNanos);
        nack.setLong(2, subscriptionId);
        nack.setLong(3, seq);
        nack.setLong(4, consumerId);
        nack.setInt(5, attempt);
        return nack.executeUpdate() == 1;
    }

    /** Moves a leased delivery to the subscription's dead letters, with a copy of the event. */
    boolean deadLetter(SqliteWriter.Tx tx, long subscriptionId, long seq, long consumerId, int attempt, String error)
            throws SQLException {
        PreparedStatement insert = tx.prepare(DEAD_LETTER);
        insert.setString(1, error);
        insert.setLong(2, Sqlite.nowNanos());
        insert.setLong(3, subscriptionId);
        insert.setLong(4, seq);
        insert.setLong(5, consumerId);
        insert.setInt(6, attempt);
        return insert.executeUpdate() == 1 && ack(tx, subscriptionId, seq, consumerId, attempt);
    }

    /** Ends every lease a consumer holds on a subscription; the deliveries are visible at once. */
    int release(SqliteWriter.Tx tx, long subscriptionId, long consumerId) throws SQLException {
        PreparedStatement release = tx.prepare(RELEASE);
        release.setLong(1, Sqlite.nowNanos());
        release.setLong(2, subscriptionId);
        release.setLong(3, consumerId);
        return release.executeUpdate();
    }

    /** Ends every lease in the store: run on open, when the consumers holding them are gone with their process. */
    int releaseAll(SqliteWriter.Tx tx) throws SQLException {
        PreparedStatement release = tx.prepare(RELEASE_ALL);
        release.setLong(1, Sqlite.nowNanos());
        return release.executeUpdate();
    }

    /**
     * Moves the next events of the topic into the deliveries: at least {@code wanted} (when there
     * are), at most {@link #PULL_CHUNK} more, never beyond the buffer limit. A bounded chunk keeps the
     * writer's transaction short when a subscription starts on a large backlog.
     *
     * @return whether anything was pulled
     */
    private boolean pull(SqliteWriter.Tx tx, long subscriptionId, long topicId, long delayNanos, long cursor,
                         int wanted) throws SQLException {
        PreparedStatement hasNew = tx.prepare(HAS_NEW);
        hasNew.setLong(1, topicId);
        hasNew.setLong(2, cursor);
        try (ResultSet rs = hasNew.executeQuery()) {
            if (!rs.next()) {
                return false;
            }
        }
        long room = Math.min(maxBuffered - count(tx, subscriptionId), Math.max(wanted, PULL_CHUNK));
        if (room <= 0) {
            return false;
        }
        PreparedStatement upTo = tx.prepare(PULL_UP_TO);
        upTo.setLong(1, topicId);
        upTo.setLong(2, cursor);
        upTo.setLong(3, room);
        long last;
        try (ResultSet rs = upTo.executeQuery()) {
            last = rs.getLong(1);
        }
        PreparedStatement pull = tx.prepare(PULL);
        pull.setLong(1, subscriptionId);
        pull.setLong(2, delayNanos);
        pull.setLong(3, topicId);
        pull.setLong(4, cursor);
        pull.setLong(5, last);
        pull.executeUpdate();
        PreparedStatement advance = tx.prepare(ADVANCE);
        advance.setLong(1, last);
        advance.setLong(2, subscriptionId);
        advance.executeUpdate();
        return true;
    }

    private static long count(SqliteWriter.Tx tx, long subscriptionId) throws SQLException {
        PreparedStatement count = tx.prepare(BUFFERED);
        count.setLong(1, subscriptionId);
        try (ResultSet rs = count.executeQuery()) {
            return rs.getLong(1);
        }
    }

    private static List<Leased> visible(SqliteWriter.Tx tx, long subscriptionId, boolean ordered, long now, int max)
            throws SQLException {
        PreparedStatement select = tx.prepare(ordered ? VISIBLE_HEADS : VISIBLE);
        select.setLong(1, subscriptionId);
        select.setLong(2, now);
        select.setInt(3, max);
        List<Leased> leased = new ArrayList<>();
        try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                leased.add(new Leased(rs.getLong(1), rs.getInt(2) + 1, rs.getLong(3), rs.getBytes(4)));
            }
        }
        return leased;
    }

    private static long nextVisibleAt(SqliteWriter.Tx tx, long subscriptionId, long now) throws SQLException {
        PreparedStatement next = tx.prepare(NEXT_VISIBLE);
        next.setLong(1, subscriptionId);
        next.setLong(2, now);
        try (ResultSet rs = next.executeQuery()) {
            long at = rs.getLong(1);
            return rs.wasNull() ? Long.MAX_VALUE : at;
        }
    }
}
