package dev.herald.transport.postgres;

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
 * is the last log position of its topic pulled into its deliveries ({@link DeliveryQueue}); it only
 * moves forward, except by {@link #seek}.
 */
final class SubscriptionStore {

    /** A subscription as stored: its definition with the ids it is stored under. */
    record Stored(long id, int topicId, SubscriptionSpec spec) {
    }

    private final Db db;
    private final EventLog log;
    private final String find;

    SubscriptionStore(Db db, EventLog log) {
        this.db = db;
        this.log = log;
        this.find = db.sql("""
                SELECT s.id, s.topic_id, s.name, t.name, s.start, s.ordered, s.delay_micros, s.native_filter
                FROM ${s}.subscriptions s JOIN ${s}.topics t ON t.id = s.topic_id WHERE s.name = ?""");
    }

    static IllegalArgumentException unknown(String name) {
        return new IllegalArgumentException("no subscription named " + name);
    }

    /** Looks a subscription up by name. */
    Optional<Stored> find(Connection connection, String name) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(find)) {
            select.setString(1, name);
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                SubscriptionSpec spec = new SubscriptionSpec(rs.getString(3), rs.getString(4),
                        StartPosition.parse(rs.getString(5)), rs.getBoolean(6), Duration.ofNanos(rs.getLong(7) * 1_000),
                        StoredFilter.read(rs.getString(8)));
                return Optional.of(new Stored(rs.getLong(1), rs.getInt(2), spec));
            }
        }
    }

    /** Looks a subscription up by name, which must exist. */
    Stored require(Connection connection, String name) throws SQLException {
        return find(connection, name).orElseThrow(() -> unknown(name));
    }

    /**
     * Creates a subscription at its start position, or updates an existing one's ordering, delivery
     * delay and native filter, keeping its position. Deliveries already pulled keep their visibility
     * time; a new filter decides from the next pull on (events already passed by the cursor stay
     * decided, as they would have been dispatched already).
     * Runs in the caller's transaction; the subscription's topic must exist ({@code topicId}).
     *
     * @return the stored subscription, and whether it existed
     * @throws IllegalArgumentException when the subscription exists on another topic
     */
    Stored create(Connection connection, SubscriptionSpec spec, int topicId) throws SQLException {
        // Locks the name: two processes creating the same subscription at once do it one after the other.
        try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
            lock.setString(1, db.schema() + ".subscription." + spec.name());
            lock.execute();
        }
        Optional<Stored> existing = find(connection, spec.name());
        if (existing.isPresent()) {
            Stored stored = existing.get();
            if (!stored.spec().topic().equals(spec.topic())) {
                throw new IllegalArgumentException("subscription " + spec.name() + " reads topic "
                        + stored.spec().topic() + ", not " + spec.topic() + ": delete it to move it");
            }
            try (PreparedStatement update = connection.prepareStatement(db.sql(
                    "UPDATE ${s}.subscriptions SET ordered = ?, delay_micros = ?, native_filter = ? WHERE id = ?"))) {
                update.setBoolean(1, spec.ordered());
                update.setLong(2, Db.micros(spec.deliveryDelay()));
                update.setString(3, StoredFilter.write(spec.filter()));
                update.setLong(4, stored.id());
                update.executeUpdate();
            }
            return new Stored(stored.id(), topicId, spec.withStart(stored.spec().start()));
        }
        EventLog.Position position = log.positionFor(connection, topicId, spec.start());
        try (PreparedStatement insert = connection.prepareStatement(db.sql("""
                INSERT INTO ${s}.subscriptions
                    (name, topic_id, start, ordered, delay_micros, cursor_xid, cursor_seq, skip_snapshot, start_time,
                     native_filter)
                VALUES (?, ?, ?, ?, ?, ?::text::xid8, ?, ?::text::pg_snapshot, ?, ?) RETURNING id"""))) {
            insert.setString(1, spec.name());
            insert.setInt(2, topicId);
            insert.setString(3, spec.start().toString());
            insert.setBoolean(4, spec.ordered());
            insert.setLong(5, Db.micros(spec.deliveryDelay()));
            setPosition(insert, 6, position);
            insert.setString(10, StoredFilter.write(spec.filter()));
            try (ResultSet rs = insert.executeQuery()) {
                rs.next();
                return new Stored(rs.getLong(1), topicId, spec);
            }
        }
    }

    /** Deletes a subscription with its deliveries and dead letters; nothing when it does not exist. */
    void delete(Connection connection, String name) throws SQLException {
        Optional<Stored> existing = find(connection, name);
        if (existing.isEmpty()) {
            return;
        }
        for (String sql : new String[] {"DELETE FROM ${s}.deliveries WHERE subscription_id = ?",
                "DELETE FROM ${s}.dead_letters WHERE subscription_id = ?", "DELETE FROM ${s}.subscriptions WHERE id = ?"}) {
            try (PreparedStatement delete = connection.prepareStatement(db.sql(sql))) {
                delete.setLong(1, existing.get().id());
                delete.executeUpdate();
            }
        }
    }

    /**
     * Moves a subscription to a new position. Deliveries waiting or waiting for a retry are dropped
     * (the new position decides what comes next); leased ones are left to their consumers to settle.
     * Takes the subscription's row lock, as polls do, so no poll pulls from the old position meanwhile.
     */
    Stored seek(Connection connection, String name, StartPosition position) throws SQLException {
        Stored stored = require(connection, name);
        try (PreparedStatement lock = connection.prepareStatement(db.sql(
                "SELECT 1 FROM ${s}.subscriptions WHERE id = ? FOR UPDATE"))) {
            lock.setLong(1, stored.id());
            lock.execute();
        }
        try (PreparedStatement drop = connection.prepareStatement(db.sql(
                "DELETE FROM ${s}.deliveries WHERE subscription_id = ? AND leased_by IS NULL"))) {
            drop.setLong(1, stored.id());
            drop.executeUpdate();
        }
        EventLog.Position next = log.positionFor(connection, stored.topicId(), position);
        try (PreparedStatement move = connection.prepareStatement(db.sql("""
                UPDATE ${s}.subscriptions
                SET cursor_xid = ?::text::xid8, cursor_seq = ?, skip_snapshot = ?::text::pg_snapshot, start_time = ?
                WHERE id = ?"""))) {
            setPosition(move, 1, next);
            move.setLong(5, stored.id());
            move.executeUpdate();
        }
        return stored;
    }

    /**
     * Counts a subscription's backlog in one statement: what is still after the cursor and the
     * subscription will deliver (with the start position's filters and its native filter), plus what
     * was pulled and is not settled yet.
     */
    SubscriptionStats stats(Connection connection, String name) throws SQLException {
        Stored stored = require(connection, name);
        SqlFilter filter = SqlFilter.compile(stored.spec().filter(), "e");
        try (PreparedStatement select = connection.prepareStatement(db.sql("""
                SELECT (SELECT count(*) FROM ${s}.events e
                        WHERE e.topic_id = s.topic_id AND (e.xid, e.seq) > (s.cursor_xid, s.cursor_seq)
                          AND (s.start_time IS NULL OR e.published_at >= s.start_time)
                          AND (s.skip_snapshot IS NULL OR NOT pg_visible_in_snapshot(e.xid, s.skip_snapshot))
                          AND %s)
                       + (SELECT count(*) FROM ${s}.deliveries d WHERE d.subscription_id = s.id),
                       (SELECT count(*) FROM ${s}.deliveries d
                        WHERE d.subscription_id = s.id AND d.leased_by IS NOT NULL AND d.visible_at > now()),
                       (SELECT count(*) FROM ${s}.dead_letters l WHERE l.subscription_id = s.id)
                FROM ${s}.subscriptions s WHERE s.id = ?""".formatted(filter.sql())))) {
            select.setLong(filter.bind(select, 1), stored.id());
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    throw unknown(name);
                }
                return new SubscriptionStats(rs.getLong(1), rs.getLong(2), rs.getLong(3));
            }
        }
    }

    private static void setPosition(PreparedStatement statement, int first, EventLog.Position position)
            throws SQLException {
        statement.setString(first, Long.toUnsignedString(position.cursorXid()));
        statement.setLong(first + 1, position.cursorSeq());
        statement.setString(first + 2, position.skipSnapshot());
        statement.setObject(first + 3, position.startTime() == null ? null : Db.timestamp(position.startTime()),
                java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
    }
}
