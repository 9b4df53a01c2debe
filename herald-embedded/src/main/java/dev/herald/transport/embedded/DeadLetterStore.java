package dev.herald.transport.embedded;

import dev.herald.transport.DeadLetter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The {@code dead_letters} table. A dead letter keeps its own copy of the event, so retention may
 * delete the event from the log while the dead letter waits for someone to look at it. Dead letters
 * are named by their row id, which {@code AUTOINCREMENT} never reuses.
 */
final class DeadLetterStore {

    private DeadLetterStore() {
    }

    /** A subscription's dead letters after {@code afterId}, oldest first. */
    static List<DeadLetter> list(Connection connection, SubscriptionStore.Stored subscription, String afterIdOrNull,
                                 int limit) throws SQLException {
        long after = afterIdOrNull == null ? 0 : Long.parseLong(afterIdOrNull);
        try (PreparedStatement select = connection.prepareStatement("""
                SELECT id, event, attempts, last_error, first_attempt_at, dead_at FROM dead_letters
                WHERE subscription_id = ? AND id > ? ORDER BY id LIMIT ?""")) {
            select.setLong(1, subscription.id());
            select.setLong(2, after);
            select.setInt(3, limit);
            List<DeadLetter> letters = new ArrayList<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    letters.add(new DeadLetter(Long.toString(rs.getLong(1)), subscription.spec().name(),
                            EventLog.read(rs.getBytes(2)), rs.getInt(3), rs.getString(4),
                            Sqlite.toInstant(rs.getLong(5)), Sqlite.toInstant(rs.getLong(6))));
                }
            }
            return letters;
        }
    }

    /**
     * Puts dead letters back as fresh deliveries (attempt 1 next), visible now, at their original
     * sequence so that an ordered subscription hands them out before later events of their key.
     *
     * @return how many of {@code ids} were dead letters of the subscription
     */
    static int redrive(SqliteWriter.Tx tx, SubscriptionStore.Stored subscription, List<String> ids)
            throws SQLException {
        PreparedStatement restore = tx.prepare("""
                INSERT OR IGNORE INTO deliveries
                    (subscription_id, seq, ordering_key, published_at, attempts, visible_at, redriven_event)
                SELECT subscription_id, seq, ordering_key, published_at, 0, ?, event FROM dead_letters
                WHERE id = ? AND subscription_id = ?""");
        int redriven = 0;
        for (String id : ids) {
            OptionalLong rowId = rowId(id);
            if (rowId.isPresent()) {
                restore.setLong(1, Sqlite.nowNanos());
                restore.setLong(2, rowId.getAsLong());
                restore.setLong(3, subscription.id());
                restore.executeUpdate();
                redriven += remove(tx, subscription, rowId.getAsLong());
            }
        }
        if (redriven > 0) {
            tx.wake(subscription.topicId());
        }
        return redriven;
    }

    /** Deletes dead letters for good; returns how many of {@code ids} were dead letters of the subscription. */
    static int discard(SqliteWriter.Tx tx, SubscriptionStore.Stored subscription, List<String> ids)
            throws SQLException {
        int discarded = 0;
        for (String id : ids) {
            OptionalLong rowId = rowId(id);
            if (rowId.isPresent()) {
                discarded += remove(tx, subscription, rowId.getAsLong());
            }
        }
        return discarded;
    }

    private static int remove(SqliteWriter.Tx tx, SubscriptionStore.Stored subscription, long rowId)
            throws SQLException {
        PreparedStatement delete = tx.prepare("DELETE FROM dead_letters WHERE id = ? AND subscription_id = ?");
        delete.setLong(1, rowId);
        delete.setLong(2, subscription.id());
        return delete.executeUpdate();
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
