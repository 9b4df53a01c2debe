package dev.herald.server.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every table of the server's state, as numbered migrations. A new table or column is one new entry
 * at the end of {@link #ALL}; released entries never change. The first ones say {@code IF NOT EXISTS}
 * because they adopt the tables that releases before versioned migrations created on their own.
 */
public final class Migrations {

    /** The migrations, in version order. */
    public static final List<Migration> ALL = List.of(
            Migration.of(1, "tokens", d -> """
                    CREATE TABLE IF NOT EXISTS tokens (
                        id           TEXT PRIMARY KEY,
                        name         TEXT NOT NULL,
                        hash         %s NOT NULL,
                        custom       INTEGER NOT NULL,
                        scopes       TEXT NOT NULL,
                        project      TEXT,
                        created_at   BIGINT NOT NULL,
                        created_by   TEXT NOT NULL,
                        expires_at   BIGINT,
                        revoked_at   BIGINT,
                        last_used_at BIGINT
                    )""".formatted(d.bytes())),
            Migration.of(2, "subscriptions", d -> """
                    CREATE TABLE IF NOT EXISTS api_subscriptions (
                      id TEXT PRIMARY KEY,
                      definition TEXT NOT NULL,
                      project TEXT,
                      created_by TEXT,
                      created_at TEXT NOT NULL,
                      updated_at TEXT NOT NULL,
                      status TEXT NOT NULL,
                      status_reason TEXT,
                      status_changed_at TEXT,
                      secret TEXT,
                      previous_secret TEXT,
                      previous_secret_expires_at TEXT,
                      consecutive_failures INTEGER NOT NULL DEFAULT 0,
                      failing_since TEXT,
                      last_error TEXT,
                      last_failure_at TEXT,
                      last_success_at TEXT
                    )"""),
            new Migration(3, "deduplication keys", d -> List.of(
                    "CREATE TABLE IF NOT EXISTS dedup_keys (key " + d.bytes() + " PRIMARY KEY, "
                            + "expires_at BIGINT NOT NULL)" + d.keyedTableSuffix(),
                    "CREATE INDEX IF NOT EXISTS dedup_keys_by_expiry ON dedup_keys (expires_at)")),
            Migration.of(4, "pull subscription reads", d -> """
                    CREATE TABLE IF NOT EXISTS subscription_reads (
                        id           TEXT PRIMARY KEY,
                        last_read_at TEXT NOT NULL
                    )"""),
            new Migration(5, "registered schemas", d -> List.of("""
                    CREATE TABLE schema_versions (
                        type          TEXT NOT NULL,
                        version       INTEGER NOT NULL,
                        document      TEXT NOT NULL,
                        registered_at BIGINT NOT NULL,
                        PRIMARY KEY (type, version)
                    )""", """
                    CREATE TABLE schema_aliases (
                        uri     TEXT PRIMARY KEY,
                        type    TEXT NOT NULL,
                        version INTEGER NOT NULL
                    )""")));

    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

    private Migrations() {
    }

    /**
     * Applies the migrations the database lacks, each in its own transaction. The caller keeps other
     * instances out meanwhile (a lock).
     *
     * @return how many were applied
     * @throws SQLException          when a migration fails (it is rolled back, later ones are not tried)
     * @throws IllegalStateException when the database was migrated by a newer Herald
     */
    static int apply(Connection connection, Dialect dialect, List<Migration> migrations) throws SQLException {
        for (int i = 0; i < migrations.size(); i++) {
            if (migrations.get(i).version() != i + 1) {
                throw new IllegalStateException("migration versions must run 1, 2, 3, … without gaps; entry " + (i + 1)
                        + " has version " + migrations.get(i).version());
            }
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS herald_migrations (version INTEGER PRIMARY KEY, "
                    + "name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
        }
        int current = currentVersion(connection);
        if (current > migrations.size()) {
            throw new IllegalStateException("the server state is at migration " + current + " but this Herald knows "
                    + migrations.size() + ": it was upgraded by a newer Herald; run that version");
        }
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            for (Migration migration : migrations.subList(current, migrations.size())) {
                try (Statement statement = connection.createStatement();
                     PreparedStatement record = connection.prepareStatement(
                             "INSERT INTO herald_migrations (version, name, applied_at) VALUES (?, ?, ?)")) {
                    for (String sql : migration.statements().apply(dialect)) {
                        statement.execute(sql);
                    }
                    record.setInt(1, migration.version());
                    record.setString(2, migration.name());
                    record.setLong(3, System.currentTimeMillis());
                    record.executeUpdate();
                    connection.commit();
                    LOG.info("server state: applied migration {} ({})", migration.version(), migration.name());
                } catch (SQLException | RuntimeException e) {
                    connection.rollback();
                    throw new SQLException("migration " + migration.version() + " (" + migration.name() + ") failed: "
                            + e.getMessage(), e);
                }
            }
        } finally {
            connection.setAutoCommit(autoCommit);
        }
        return migrations.size() - current;
    }

    /** The highest applied migration, 0 for a new database. */
    static int currentVersion(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT COALESCE(MAX(version), 0) FROM herald_migrations")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
