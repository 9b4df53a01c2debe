package dev.herald.transport.postgres;

import dev.herald.transport.DeadLetter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The {@code dead_letters} table. A dead letter keeps its own copy of the event, so retention may
 * delete the event from the log while the dead letter waits for someone to look at it. Dead letters
 * are named by their identity column, which is never reused.
 */
final class DeadLetterStore {

    private final String list;
    private final String restore;
    private final String remove;

    DeadLetterStore(Db db) {
        this.list = db.sql("""
                SELECT id, event, attempts, last_error, first_attempt_at, dead_at FROM ${s}.dead_letters
                WHERE subscription_id = ? AND id > ? ORDER BY id LIMIT ?""");
        // Back at their original pos, so that an ordered subscription hands them out before later
        // events of their key; DO NOTHING when a seek pulled the event in again meanwhile.
        this.restore = db.sql("""
                INSERT INTO ${s}.deliveries
                    (subscription_id, pos, seq, ordering_key, published_at, visible_at, attempts, redriven_event)
                SELECT subscription_id, pos, seq, ordering_key, published_at, clock_timestamp(), 0, event
                FROM ${s}.dead_letters WHERE id = ? AND subscription_id = ?
                ON CONFLICT DO NOTHING""");
        this.remove = db.sql("DELETE FROM ${s}.dead_letters WHERE id = ? AND subscription_id = ?");
    }

    /** A subscription's dead letters after {@code afterId}, oldest first. */
    List<DeadLetter> list(Connection connection, SubscriptionStore.Stored subscription, String afterIdOrNull,
                          int limit) throws SQLException {
        long after = afterIdOrNull == null ? 0 : rowId(afterIdOrNull).orElse(0);
        try (PreparedStatement select = connection.prepareStatement(list)) {
            select.setLong(1, subscription.id());
            select.setLong(2, after);
            select.setInt(3, limit);
            List<DeadLetter> letters = new ArrayList<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    letters.add(new DeadLetter(Long.toString(rs.getLong(1)), subscription.spec().name(),
                            EventLog.read(rs.getBytes(2)), rs.getInt(3), rs.getString(4),
                            rs.getObject(5, OffsetDateTime.class).toInstant(),
                            rs.getObject(6, OffsetDateTime.class).toInstant()));
                }
            }
            return letters;
        }
    }

    /** Puts dead letters back as fresh deliveries (attempt 1 next), visible now; returns how many there were. */
    int redrive(Connection connection, SubscriptionStore.Stored subscription, List<String> ids) throws SQLException {
        int redriven = 0;
        try (PreparedStatement insert = connection.prepareStatement(restore)) {
            for (String id : ids) {
                OptionalLong rowId = rowId(id);
                if (rowId.isPresent()) {
                    insert.setLong(1, rowId.getAsLong());
                    insert.setLong(2, subscription.id());
                    insert.executeUpdate();
                    redriven += remove(connection, subscription, rowId.getAsLong());
                }
            }
        }
        return redriven;
    }

    /** Deletes dead letters for good; returns how many of {@code ids} were dead letters of the subscription. */
    int discard(Connection connection, SubscriptionStore.Stored subscription, List<String> ids) throws SQLException {
        int discarded = 0;
        for (String id : ids) {
            OptionalLong rowId = rowId(id);
            if (rowId.isPresent()) {
                discarded += remove(connection, subscription, rowId.getAsLong());
            }
        }
        return discarded;
    }

    private int remove(Connection connection, SubscriptionStore.Stored subscription, long rowId) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement(remove)) {
            delete.setLong(1, rowId);
            delete.setLong(2, subscription.id());
            return delete.executeUpdate();
        }
    }

    /** An id this store never handed out names no dead letter. */
    private static OptionalLong rowId(String id) {
        try {
            return OptionalLong.of(Long.parseLong(id));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
