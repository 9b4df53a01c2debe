package dev.herald.transport.embedded;

import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionSpec;
import dev.herald.transport.SubscriptionStats;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;

/**
 * Subscription definitions and positions: the {@code subscriptions} table. A subscription's cursor
 * is the last event sequence of its topic pulled into its deliveries ({@link DeliveryQueue}); it
 * never goes back except by {@link #seek}.
 *
 * <p>Changes run on the writer thread; {@link #find(Connection, String)} and {@link #stats} also
 * run on read connections.
 */
final class SubscriptionStore {

    /** A subscription as stored: its definition with the ids it is stored under. */
    record Stored(long id, long topicId, SubscriptionSpec spec) {
    }

    private static final String FIND = """
            SELECT s.id, s.topic_id, s.name, t.name, s.start, s.ordered, s.delay_nanos
            FROM subscriptions s JOIN topics t ON t.id = s.topic_id WHERE s.name = ?""";
    private static final String STATS = """
            SELECT (SELECT COUNT(*) FROM events e WHERE e.topic_id = s.topic_id AND e.seq > s.cursor)
                     + (SELECT COUNT(*) FROM deliveries d WHERE d.subscription_id = s.id),
                   (SELECT COUNT(*) FROM deliveries d
                     WHERE d.subscription_id = s.id AND d.leased_by IS NOT NULL AND d.visible_at > ?),
                   (SELECT COUNT(*) FROM dead_letters l WHERE l.subscription_id = s.id),
                   s.dropped
            FROM subscriptions s WHERE s.id = ?""";

    private SubscriptionStore() {
    }

    /** Looks a subscription up by name on a read connection. */
    static Optional<Stored> find(Connection connection, String name) throws SQLException {
        try (PreparedStatement find = connection.prepareStatement(FIND)) {
            return find(find, name);
        }
    }

    /** Looks a subscription up by name on the writer. */
    static Optional<Stored> find(SqliteWriter.Tx tx, String name) throws SQLException {
        return find(tx.prepare(FIND), name);
    }

    /** Looks a subscription up by name on the writer, which must find it. */
    static Stored require(SqliteWriter.Tx tx, String name) throws SQLException {
        return find(tx, name).orElseThrow(() -> unknown(name));
    }

    static IllegalArgumentException unknown(String name) {
        return new IllegalArgumentException("no subscription named " + name);
    }

    /**
     * Creates a subscription at its start position, or updates an existing one's ordering and
     * delivery delay, keeping its position. Deliveries already pulled keep their visibility time.
     *
     * @throws IllegalArgumentException when the subscription exists on another topic
     */
    static void create(SqliteWriter.Tx tx, SubscriptionSpec spec) throws SQLException {
        Optional<Stored> existing = find(tx, spec.name());
        if (existing.isPresent()) {
            Stored stored = existing.get();
            if (!stored.spec().topic().equals(spec.topic())) {
                throw new IllegalArgumentException("subscription " + spec.name() + " reads topic "
                        + stored.spec().topic() + ", not " + spec.topic() + ": delete it to move it");
            }
            PreparedStatement update = tx.prepare("UPDATE subscriptions SET ordered = ?, delay_nanos = ? WHERE id = ?");
            update.setBoolean(1, spec.ordered());
            update.setLong(2, Sqlite.delayNanos(spec.deliveryDelay()));
            update.setLong(3, stored.id());
            update.executeUpdate();
            tx.wake(stored.topicId());
            return;
        }
        PreparedStatement insert = tx.prepare("""
                INSERT INTO subscriptions (name, topic_id, start, ordered, delay_nanos, cursor, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)""");
        insert.setString(1, spec.name());
        insert.setLong(2, EventLog.createTopic(tx, spec.topic()));
        insert.setString(3, spec.start().toString());
        insert.setBoolean(4, spec.ordered());
        insert.setLong(5, Sqlite.delayNanos(spec.deliveryDelay()));
        insert.setLong(6, EventLog.cursorFor(tx.connection(), spec.start()));
        insert.setLong(7, Sqlite.nowNanos());
        insert.executeUpdate();
    }

    /** Deletes a subscription with its deliveries and dead letters; nothing when it does not exist. */
    static void delete(SqliteWriter.Tx tx, String name) throws SQLException {
        Optional<Stored> existing = find(tx, name);
        if (existing.isEmpty()) {
            return;
        }
        long id = existing.get().id();
        for (String sql : new String[] {"DELETE FROM deliveries WHERE subscription_id = ?",
                "DELETE FROM dead_letters WHERE subscription_id = ?", "DELETE FROM subscriptions WHERE id = ?"}) {
            PreparedStatement delete = tx.prepare(sql);
            delete.setLong(1, id);
            delete.executeUpdate();
        }
    }

    /**
     * Moves the cursor to a new position. Deliveries waiting or waiting for a retry are dropped (the
     * new position decides what comes next); leased ones are left to their consumers to settle.
     */
    static void seek(SqliteWriter.Tx tx, String name, StartPosition position) throws SQLException {
        Stored stored = require(tx, name);
        PreparedStatement drop = tx.prepare("DELETE FROM deliveries WHERE subscription_id = ? AND leased_by IS NULL");
        drop.setLong(1, stored.id());
        drop.executeUpdate();
        PreparedStatement move = tx.prepare("UPDATE subscriptions SET cursor = ? WHERE id = ?");
        move.setLong(1, EventLog.cursorFor(tx.connection(), position));
        move.setLong(2, stored.id());
        move.executeUpdate();
        tx.wake(stored.topicId());
    }

    /** Counts a subscription's backlog in one read snapshot. */
    static SubscriptionStats stats(Connection connection, String name) throws SQLException {
        Stored stored = find(connection, name).orElseThrow(() -> unknown(name));
        try (PreparedStatement stats = connection.prepareStatement(STATS)) {
            stats.setLong(1, Sqlite.nowNanos());
            stats.setLong(2, stored.id());
            try (ResultSet rs = stats.executeQuery()) {
                if (!rs.next()) {
                    throw unknown(name);
                }
                return new SubscriptionStats(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
            }
        }
    }

    private static Optional<Stored> find(PreparedStatement find, String name) throws SQLException {
        find.setString(1, name);
        try (ResultSet rs = find.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            SubscriptionSpec spec = new SubscriptionSpec(rs.getString(3), rs.getString(4),
                    StartPosition.parse(rs.getString(5)), rs.getBoolean(6), Duration.ofNanos(rs.getLong(7)));
            return Optional.of(new Stored(rs.getLong(1), rs.getLong(2), spec));
        }
    }
}
