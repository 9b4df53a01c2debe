package dev.herald.transport.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code deliveries} table: every event of a subscription from the moment it is pulled from the
 * log until it is acknowledged or dead-lettered.
 *
 * <p>Fan-out happens on read: publishing writes one row to {@code events}, whatever the number of
 * subscriptions. A poll pulls the next events of the topic below the horizon (see {@link EventLog})
 * into the subscription's deliveries, at most {@link PostgresOptions#pullBatchSize()} at a time and
 * while fewer than {@link PostgresOptions#maxBufferedPerSubscription()} are buffered, numbering them
 * in log order ({@code pos}) and moving the cursor in the same transaction. Only the events the
 * subscription keeps become deliveries: those its start position does not skip and its native filter
 * accepts ({@link SqlFilter}); the cursor moves past the others all the same.
 *
 * <p>Each poll is one short transaction that starts by locking the subscription's row
 * ({@code FOR UPDATE}): polls of one subscription, from any number of processes, pull and lease one
 * after the other, so no two consumers can pull the same events or lease the same delivery, and an
 * ordered subscription's heads are computed on a stable set. Handlers run outside it.
 *
 * <p>Handing out a delivery leases it: {@code leased_by} names the consumer (its transport's member
 * id in the high 32 bits) and {@code visible_at} becomes the lease expiry, so an expired lease is
 * simply visible again. A lease is identified by (consumer, attempts): settling checks both, so a
 * consumer whose lease expired and was handed to another cannot settle the other's attempt. On an
 * ordered subscription only the head of each ordering key (its lowest {@code pos} still here) is
 * handed out. Delivery delays and nack delays are visibility times.
 */
final class DeliveryQueue {

    /** One leased delivery, with the event's stored JSON. */
    record Leased(long pos, int attempt, Instant publishedAt, byte[] event) {
    }

    /**
     * The result of a poll: the deliveries leased, and when none was, when to look again: the next
     * time a delivery becomes visible ({@code null} when none is scheduled), and whether committed
     * events wait behind the horizon (look again soon: the transaction holding it back is short, as
     * a rule, and its end sends no notification when it is not a Herald publish).
     */
    record Lease(List<Leased> deliveries, Instant nextVisibleAt, boolean behindHorizon) {
        static final Lease NONE = new Lease(List.of(), null, false);
    }

    private final String lock;
    /** The pull statement, with {@code %s} for the subscription's native filter. */
    private final String pullTemplate;
    private final String beyondCursor;
    private final String leaseAny;
    private final String leaseBuffered;
    private final String leaseHeads;
    private final String nextVisible;
    private final String ackBatch;
    private final String nack;
    private final String deadLetter;
    private final String release;
    private final String reap;
    private final int maxBuffered;
    private final int pullBatch;
    private final long ackDeadlineMicros;

    DeliveryQueue(Db db, PostgresOptions options) {
        this.maxBuffered = options.maxBufferedPerSubscription();
        this.pullBatch = options.pullBatchSize();
        this.ackDeadlineMicros = Db.micros(options.ackDeadline());
        // Also makes the poll's transaction commit relaxed (see Db), saving a round trip.
        this.lock = db.sql("""
                SELECT s.next_pos, s.ordered, (SELECT min(d.pos) FROM ${s}.deliveries d WHERE d.subscription_id = s.id),
                       s.native_filter, set_config('synchronous_commit', 'off', true)
                FROM ${s}.subscriptions s WHERE s.id = ? FOR UPDATE""");
        // One statement: read the next events below the horizon, insert those the subscription keeps
        // (the position's filters and its native filter, %s: a SqlFilter over the row e), move the
        // cursor past all of them (kept or not). Kept rows are numbered without gaps, so that pos still
        // bounds what is buffered however much the filter rejects.
        this.pullTemplate = db.sql("""
                WITH sub AS (
                    SELECT id, topic_id, cursor_xid, cursor_seq, next_pos, delay_micros, start_time, skip_snapshot
                    FROM ${s}.subscriptions WHERE id = ?
                ), scanned AS (
                    SELECT e.seq, e.xid, e.ordering_key, e.published_at, e.kept,
                           row_number() OVER log_order AS n, count(*) FILTER (WHERE e.kept) OVER log_order AS k
                    FROM sub CROSS JOIN LATERAL (
                        SELECT e.seq, e.xid, e.ordering_key, e.published_at,
                               (sub.start_time IS NULL OR e.published_at >= sub.start_time)
                               AND (sub.skip_snapshot IS NULL OR NOT pg_visible_in_snapshot(e.xid, sub.skip_snapshot))
                               AND %s AS kept
                        FROM ${s}.events e
                        WHERE e.topic_id = sub.topic_id AND (e.xid, e.seq) > (sub.cursor_xid, sub.cursor_seq)
                          AND e.xid < pg_snapshot_xmin(pg_current_snapshot())
                        ORDER BY e.xid, e.seq LIMIT ?) e
                    WINDOW log_order AS (ORDER BY e.xid, e.seq)
                ), pulled AS (
                    INSERT INTO ${s}.deliveries (subscription_id, pos, seq, ordering_key, published_at, visible_at)
                    SELECT sub.id, sub.next_pos + sc.k, sc.seq, sc.ordering_key, sc.published_at,
                           sc.published_at + sub.delay_micros * interval '1 microsecond'
                    FROM scanned sc CROSS JOIN sub
                    WHERE sc.kept
                    ON CONFLICT (subscription_id, seq) DO NOTHING
                    RETURNING 1
                ), last AS (
                    SELECT xid, seq, n, k FROM scanned ORDER BY n DESC LIMIT 1
                )
                UPDATE ${s}.subscriptions s
                SET cursor_xid = last.xid, cursor_seq = last.seq, next_pos = s.next_pos + last.k,
                    skip_snapshot = CASE WHEN last.xid >= pg_snapshot_xmax(s.skip_snapshot) THEN NULL
                                         ELSE s.skip_snapshot END
                FROM last WHERE s.id = (SELECT id FROM sub)
                RETURNING last.n""");
        this.beyondCursor = db.sql("""
                SELECT EXISTS (SELECT 1 FROM ${s}.subscriptions s JOIN ${s}.events e ON e.topic_id = s.topic_id
                               WHERE s.id = ? AND (e.xid, e.seq) > (s.cursor_xid, s.cursor_seq))""");
        String leaseTemplate = """
                WITH picked AS (%s)
                UPDATE ${s}.deliveries d
                SET leased_by = ?, visible_at = clock_timestamp() + ? * interval '1 microsecond',
                    attempts = d.attempts + 1, first_attempt_at = COALESCE(d.first_attempt_at, clock_timestamp())
                FROM picked WHERE d.subscription_id = ? AND d.pos = picked.pos
                RETURNING d.pos, d.attempts, d.published_at,
                          COALESCE(d.redriven_event, (SELECT e.data FROM ${s}.events e WHERE e.seq = d.seq))""";
        // SKIP LOCKED: unordered leases also run without the subscription's lock (leaseBuffered),
        // and concurrent ones then pass over each other's rows instead of waiting for them.
        this.leaseAny = db.sql(leaseTemplate.formatted("""
                SELECT pos FROM ${s}.deliveries WHERE subscription_id = ? AND visible_at <= now()
                ORDER BY pos LIMIT ? FOR UPDATE SKIP LOCKED"""));
        // The same as one relaxed auto-commit statement, for unordered subscriptions only (checked
        // here, in case the subscription was switched to ordered since the consumer opened).
        this.leaseBuffered = db.sql(Db.RELAXED + ", " + leaseTemplate.formatted("""
                SELECT pos FROM ${s}.deliveries
                WHERE subscription_id = ? AND visible_at <= now() AND EXISTS (SELECT FROM relaxed)
                  AND NOT (SELECT ordered FROM ${s}.subscriptions WHERE id = subscription_id)
                ORDER BY pos LIMIT ? FOR UPDATE SKIP LOCKED""").replaceFirst("^WITH ", ""));
        this.leaseHeads = db.sql(leaseTemplate.formatted("""
                SELECT d.pos FROM ${s}.deliveries d
                WHERE d.subscription_id = ? AND d.visible_at <= now()
                  AND (d.ordering_key IS NULL OR NOT EXISTS (
                       SELECT 1 FROM ${s}.deliveries p
                       WHERE p.subscription_id = d.subscription_id AND p.ordering_key = d.ordering_key
                         AND p.pos < d.pos))
                ORDER BY d.pos LIMIT ?"""));
        this.nextVisible = db.sql(
                "SELECT min(visible_at) FROM ${s}.deliveries WHERE subscription_id = ? AND visible_at > now()");
        // Settlements are single statements committed relaxed (see Db.RELAXED), run in auto-commit;
        // acks come in batches (GroupCommit): one statement over arrays, one relaxed commit.
        this.ackBatch = db.sql(Db.RELAXED + """
                , acked AS (
                    SELECT * FROM unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::integer[])
                        AS a(subscription_id, pos, leased_by, attempts)
                )
                DELETE FROM ${s}.deliveries d USING acked a
                WHERE d.subscription_id = a.subscription_id AND d.pos = a.pos AND d.leased_by = a.leased_by
                  AND d.attempts = a.attempts AND EXISTS (SELECT FROM relaxed)
                RETURNING d.subscription_id, d.pos""");
        this.nack = db.sql(Db.RELAXED + """
                UPDATE ${s}.deliveries SET leased_by = NULL, visible_at = clock_timestamp() + ? * interval '1 microsecond'
                WHERE subscription_id = ? AND pos = ? AND leased_by = ? AND attempts = ? AND EXISTS (SELECT FROM relaxed)""");
        this.deadLetter = db.sql(Db.RELAXED + """
                , moved AS (
                    DELETE FROM ${s}.deliveries
                    WHERE subscription_id = ? AND pos = ? AND leased_by = ? AND attempts = ? AND EXISTS (SELECT FROM relaxed)
                    RETURNING *
                )
                INSERT INTO ${s}.dead_letters (subscription_id, pos, seq, ordering_key, published_at, event, attempts,
                                              last_error, first_attempt_at, dead_at)
                SELECT d.subscription_id, d.pos, d.seq, d.ordering_key, d.published_at,
                       COALESCE(d.redriven_event, e.data), d.attempts, ?, d.first_attempt_at, clock_timestamp()
                FROM moved d LEFT JOIN ${s}.events e ON e.seq = d.seq""");
        this.release = db.sql(Db.RELAXED + """
                UPDATE ${s}.deliveries SET leased_by = NULL, visible_at = clock_timestamp()
                WHERE subscription_id = ? AND leased_by = ? AND EXISTS (SELECT FROM relaxed)""");
        // Leases of members whose session advisory lock is gone: their process died (or lost its
        // connection long enough for the lock to go). Returns the topics to wake.
        this.reap = db.sql("""
                WITH live AS (
                    SELECT l.objid::bigint AS member FROM pg_locks l
                    WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.classid::bigint = ?
                      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                ), released AS (
                    UPDATE ${s}.deliveries SET leased_by = NULL, visible_at = clock_timestamp()
                    WHERE leased_by IS NOT NULL AND (leased_by >> 32) NOT IN (SELECT member FROM live)
                    RETURNING subscription_id
                ), gone AS (
                    DELETE FROM ${s}.members WHERE id NOT IN (SELECT member FROM live) AND id <> ?
                )
                SELECT DISTINCT s.topic_id FROM released r JOIN ${s}.subscriptions s ON s.id = r.subscription_id""");
    }

    /**
     * Leases up to {@code max} deliveries already pulled into an unordered subscription, in one
     * auto-commit statement without the subscription's lock: the common poll while a subscription
     * has a backlog. Returns fewer (or none) when fewer are visible; {@link #lease} then pulls more.
     * Leases nothing on an ordered subscription, whose heads are computed under the lock.
     */
    List<Leased> leaseBuffered(Connection connection, long subscriptionId, long consumerId, int max)
            throws SQLException {
        return lease(connection, leaseBuffered, subscriptionId, consumerId, max);
    }

    /**
     * Pulls new events into the subscription and leases up to {@code max} visible deliveries to
     * {@code consumerId}. A deleted subscription has nothing to lease. Runs in a transaction of its
     * own ({@link Db#transaction}), which it starts by locking the subscription and making the
     * transaction's commit relaxed.
     */
    Lease lease(Connection connection, long subscriptionId, long consumerId, int max) throws SQLException {
        long nextPos;
        boolean ordered;
        long buffered;
        SqlFilter filter;
        try (PreparedStatement select = connection.prepareStatement(lock)) {
            select.setLong(1, subscriptionId);
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    return Lease.NONE;
                }
                nextPos = rs.getLong(1);
                ordered = rs.getBoolean(2);
                long oldest = rs.getLong(3);
                // An upper bound of the deliveries buffered (pos numbers them in pull order), from
                // the primary key alone: counting the rows would read them all on every poll.
                buffered = rs.wasNull() ? 0 : nextPos - oldest + 1;
                // Read under the row lock on every poll: an updated filter applies to the next pull.
                filter = SqlFilter.compile(StoredFilter.read(rs.getString(4)), "e");
            }
        }
        long room = Math.min(pullBatch, maxBuffered - buffered);
        long scanned = room > 0 ? pull(connection, subscriptionId, room, filter) : 0;
        List<Leased> leased = leaseVisible(connection, subscriptionId, consumerId, ordered, max);
        if (!leased.isEmpty()) {
            return new Lease(leased, null, false);
        }
        boolean behindHorizon = room > 0 && (scanned == room || beyondCursor(connection, subscriptionId));
        return new Lease(leased, nextVisibleAt(connection, subscriptionId), behindHorizon);
    }

    /** One acknowledgement of a batch: the lease (consumer, attempt) of a subscription's delivery. */
    record Ack(long subscriptionId, long pos, long consumerId, int attempt) {
    }

    /**
     * Acknowledges a batch of leases in one statement, possibly of several subscriptions. Returns,
     * per ack and in order, whether it settled its lease (false when the lease is no longer that
     * consumer's, as for {@link #ack}); of the same lease acknowledged twice in a batch, only the
     * first counts.
     */
    List<Boolean> ack(Connection connection, List<Ack> acks) throws SQLException {
        Long[] subscriptionIds = new Long[acks.size()];
        Long[] positions = new Long[acks.size()];
        Long[] consumers = new Long[acks.size()];
        Integer[] attempts = new Integer[acks.size()];
        for (int i = 0; i < acks.size(); i++) {
            Ack ack = acks.get(i);
            subscriptionIds[i] = ack.subscriptionId();
            positions[i] = ack.pos();
            consumers[i] = ack.consumerId();
            attempts[i] = ack.attempt();
        }
        Set<List<Long>> deleted = new HashSet<>();
        try (PreparedStatement delete = connection.prepareStatement(ackBatch)) {
            delete.setArray(1, connection.createArrayOf("bigint", subscriptionIds));
            delete.setArray(2, connection.createArrayOf("bigint", positions));
            delete.setArray(3, connection.createArrayOf("bigint", consumers));
            delete.setArray(4, connection.createArrayOf("integer", attempts));
            try (ResultSet rs = delete.executeQuery()) {
                while (rs.next()) {
                    deleted.add(List.of(rs.getLong(1), rs.getLong(2)));
                }
            }
        }
        List<Boolean> settled = new ArrayList<>(acks.size());
        for (Ack ack : acks) {
            // remove: a second ack of the same delivery in this batch settled nothing
            settled.add(deleted.remove(List.of(ack.subscriptionId(), ack.pos())));
        }
        return settled;
    }

    /** Ends a lease without settling: visible again {@code delay} from now. */
    boolean nack(Connection connection, long subscriptionId, long pos, long consumerId, int attempt, Duration delay)
            throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(nack)) {
            update.setLong(1, Db.micros(delay));
            update.setLong(2, subscriptionId);
            update.setLong(3, pos);
            update.setLong(4, consumerId);
            update.setInt(5, attempt);
            return update.executeUpdate() == 1;
        }
    }

    /** Moves a leased delivery to the subscription's dead letters, with a copy of the event, in one statement. */
    boolean deadLetter(Connection connection, long subscriptionId, long pos, long consumerId, int attempt,
                       String error) throws SQLException {
        try (PreparedStatement move = connection.prepareStatement(deadLetter)) {
            move.setLong(1, subscriptionId);
            move.setLong(2, pos);
            move.setLong(3, consumerId);
            move.setInt(4, attempt);
            move.setString(5, error);
            return move.executeUpdate() == 1;
        }
    }

    /** Ends every lease a consumer holds on a subscription; the deliveries are visible at once. */
    int release(Connection connection, long subscriptionId, long consumerId) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(release)) {
            update.setLong(1, subscriptionId);
            update.setLong(2, consumerId);
            return update.executeUpdate();
        }
    }

    /**
     * Releases the leases of every member that is gone and forgets those members; returns the
     * topics whose consumers should look again.
     */
    Set<Integer> reap(Connection connection, int lockKey, int ownMemberId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(reap)) {
            statement.setLong(1, lockKey);
            statement.setInt(2, ownMemberId);
            Set<Integer> topics = new HashSet<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    topics.add(rs.getInt(1));
                }
            }
            return topics;
        }
    }

    /**
     * Moves the next events of the topic that the subscription keeps into the deliveries; returns how
     * many log rows it read, kept or not.
     */
    private long pull(Connection connection, long subscriptionId, long limit, SqlFilter filter) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(pullTemplate.formatted(filter.sql()))) {
            statement.setLong(1, subscriptionId);
            statement.setLong(filter.bind(statement, 2), limit);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    private boolean beyondCursor(Connection connection, long subscriptionId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(beyondCursor)) {
            select.setLong(1, subscriptionId);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private List<Leased> leaseVisible(Connection connection, long subscriptionId, long consumerId, boolean ordered,
                                      int max) throws SQLException {
        return lease(connection, ordered ? leaseHeads : leaseAny, subscriptionId, consumerId, max);
    }

    private List<Leased> lease(Connection connection, String sql, long subscriptionId, long consumerId, int max)
            throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(sql)) {
            update.setLong(1, subscriptionId);
            update.setInt(2, max);
            update.setLong(3, consumerId);
            update.setLong(4, ackDeadlineMicros);
            update.setLong(5, subscriptionId);
            List<Leased> leased = new ArrayList<>();
            try (ResultSet rs = update.executeQuery()) {
                while (rs.next()) {
                    leased.add(new Leased(rs.getLong(1), rs.getInt(2),
                            rs.getObject(3, OffsetDateTime.class).toInstant(), rs.getBytes(4)));
                }
            }
            // RETURNING follows no order: hand deliveries out in log order.
            leased.sort(Comparator.comparingLong(Leased::pos));
            return leased;
        }
    }

    private Instant nextVisibleAt(Connection connection, long subscriptionId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(nextVisible)) {
            select.setLong(1, subscriptionId);
            try (ResultSet rs = select.executeQuery()) {
                OffsetDateTime at = rs.next() ? rs.getObject(1, OffsetDateTime.class) : null;
                return at == null ? null : at.toInstant();
            }
        }
    }
}
