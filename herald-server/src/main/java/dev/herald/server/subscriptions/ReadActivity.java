package dev.herald.server.subscriptions;

import dev.herald.server.state.ServerDatabase;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each PULL subscription was last read (a stream connected or ended, an ack, a nack), kept in the
 * server database so that {@link SubscriptionLimits#pullExpireAfter()} counts across restarts. Expiry
 * is measured in days, so a busy subscription's acks are written at most once per {@link #PRECISION}.
 * The table is the state's migration 4 ({@code subscription_reads}).
 */
final class ReadActivity {

    /** How stale the stored time may be while acks keep arriving. */
    static final Duration PRECISION = Duration.ofMinutes(1);

    private final ServerDatabase db;
    private final Map<String, Instant> written = new ConcurrentHashMap<>();

    ReadActivity(ServerDatabase db) {
        this.db = db;
    }

    /** Records a read now; {@code always} writes even when the stored time is within {@link #PRECISION}. */
    void read(String subscriptionId, Instant at, boolean always) {
        Instant last = written.get(subscriptionId);
        if (!always && last != null && Duration.between(last, at).compareTo(PRECISION) < 0) {
            return;
        }
        written.put(subscriptionId, at);
        db.with(connection -> {
            try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO subscription_reads "
                    + "(id, last_read_at) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET last_read_at = excluded.last_read_at")) {
                upsert.setString(1, subscriptionId);
                upsert.setString(2, at.toString());
                upsert.executeUpdate();
            }
            return null;
        });
    }

    /** Every subscription's last read, by id (subscriptions never read are absent). */
    Map<String, Instant> all() {
        return db.with(connection -> {
            Map<String, Instant> reads = new HashMap<>();
            try (Statement select = connection.createStatement();
                 ResultSet rows = select.executeQuery("SELECT id, last_read_at FROM subscription_reads")) {
                while (rows.next()) {
                    reads.put(rows.getString(1), Instant.parse(rows.getString(2)));
                }
            }
            return reads;
        });
    }

    /** Forgets a deleted subscription. */
    void delete(String subscriptionId) {
        written.remove(subscriptionId);
        db.with(connection -> {
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM subscription_reads WHERE id = ?")) {
                delete.setString(1, subscriptionId);
                delete.executeUpdate();
            }
            return null;
        });
    }
}
