package dev.herald.transport.embedded;

import dev.herald.transport.TransportException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The store's tables, created and upgraded by numbered migrations. {@code schema_version} records
 * every migration applied to a file; opening a file applies the missing ones in one transaction, so
 * a file is always at one version, and a newer Herald upgrades an older file in place. Migrations
 * are only ever appended: a released migration never changes.
 *
 * <p>All times are epoch nanoseconds ({@link Sqlite#toNanos}). Foreign keys are not declared:
 * SQLite does not enforce them unless asked, and the writer is the only code that changes rows.
 */
final class Schema {

    /** One step of the schema's history. */
    record Migration(int version, String description, List<String> statements) {
    }

    static final List<Migration> MIGRATIONS = List.of(
            new Migration(1, "events, topics, subscriptions, deliveries, dead letters", List.of(
                    """
                    CREATE TABLE topics (
                        id   INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE
                    )""",
                    // AUTOINCREMENT: a sequence is never reused, even after retention deleted the
                    // newest events of a topic; a reused one could hide behind a subscription's cursor.
                    """
                    CREATE TABLE events (
                        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
                        topic_id     INTEGER NOT NULL,
                        published_at INTEGER NOT NULL,
                        ordering_key TEXT,
                        data         BLOB NOT NULL
                    )""",
                    "CREATE INDEX events_by_topic ON events (topic_id, seq)",
                    """
                    CREATE TABLE subscriptions (
                        id           INTEGER PRIMARY KEY AUTOINCREMENT,
                        name         TEXT NOT NULL UNIQUE,
                        topic_id     INTEGER NOT NULL,
                        start        TEXT NOT NULL,
                        ordered      INTEGER NOT NULL,
                        delay_nanos  INTEGER NOT NULL,
                        cursor       INTEGER NOT NULL,
                        created_at   INTEGER NOT NULL
                    )""",
                    // visible_at: when the delivery may be handed out next; while it is leased, the
                    // lease expiry. leased_by: the consumer holding it, NULL when not in flight.
                    // redriven_event: a redriven dead letter's copy of the event, which retention may
                    // have removed from the log meanwhile; NULL reads the event from the log.
                    """
                    CREATE TABLE deliveries (
                        subscription_id  INTEGER NOT NULL,
                        seq              INTEGER NOT NULL,
                        ordering_key     TEXT,
                        published_at     INTEGER NOT NULL,
                        attempts         INTEGER NOT NULL DEFAULT 0,
                        visible_at       INTEGER NOT NULL,
                        leased_by        INTEGER,
                        first_attempt_at INTEGER,
                        redriven_event   BLOB,
                        PRIMARY KEY (subscription_id, seq)
                    ) WITHOUT ROWID""",
                    "CREATE INDEX deliveries_by_visibility ON deliveries (subscription_id, visible_at)",
                    "CREATE INDEX deliveries_by_key ON deliveries (subscription_id, ordering_key, seq)",
                    """
                    CREATE TABLE dead_letters (
                        id               INTEGER PRIMARY KEY AUTOINCREMENT,
                        subscription_id  INTEGER NOT NULL,
                        seq              INTEGER NOT NULL,
                        ordering_key     TEXT,
                        published_at     INTEGER NOT NULL,
                        event            BLOB NOT NULL,
                        attempts         INTEGER NOT NULL,
                        last_error       TEXT NOT NULL,
                        first_attempt_at INTEGER NOT NULL,
                        dead_at          INTEGER NOT NULL
                    )""",
                    "CREATE INDEX dead_letters_by_subscription ON dead_letters (subscription_id, id)")),
            // dropped: events the size limit removed before the subscription was done with them.
            new Migration(2, "subscriptions count the events retention dropped", List.of(
                    "ALTER TABLE subscriptions ADD COLUMN dropped INTEGER NOT NULL DEFAULT 0")));

    private Schema() {
    }

    /** The version a file has once {@link #migrate} ran. */
    static int latestVersion() {
        return MIGRATIONS.getLast().version();
    }

    /**
     * Brings the file to {@link #latestVersion()}; does nothing when it is there already.
     *
     * @return the version the file had before
     * @throws TransportException when the file was written by a newer Herald
     */
    static int migrate(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("BEGIN IMMEDIATE");
            try {
                statement.execute("CREATE TABLE IF NOT EXISTS schema_version ("
                        + "version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL)");
                int current;
                try (ResultSet rs = statement.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
                    current = rs.getInt(1);
                }
                if (current > latestVersion()) {
                    throw new TransportException("the store is at schema version " + current
                            + ", newer than this Herald knows (" + latestVersion() + "): upgrade Herald");
                }
                for (Migration migration : MIGRATIONS) {
                    if (migration.version() > current) {
                        apply(connection, statement, migration);
                    }
                }
                statement.execute("COMMIT");
                return current;
            } catch (SQLException | RuntimeException e) {
                statement.execute("ROLLBACK");
                throw e;
            }
        }
    }

    private static void apply(Connection connection, Statement statement, Migration migration) throws SQLException {
        for (String sql : migration.statements()) {
            statement.execute(sql);
        }
        try (var insert = connection.prepareStatement(
                "INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)")) {
            insert.setInt(1, migration.version());
            insert.setString(2, migration.description());
            insert.setLong(3, Sqlite.nowNanos());
            insert.executeUpdate();
        }
    }
}
