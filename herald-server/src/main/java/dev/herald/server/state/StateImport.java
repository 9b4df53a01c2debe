package dev.herald.server.state;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Carries the state of a single instance ({@code server.db}, SQLite) into a new shared state, so that
 * moving an instance to PostgreSQL state keeps its tokens, subscriptions and registered schemas.
 *
 * <p>Only a shared state that holds no token and no subscription yet is filled, and only in one
 * transaction that locks those tables first: an instance starting at the same time either finds the
 * import done or waits for it, and a state already in use is never mixed with another one's rows.
 * Rows are copied as stored: sealed secrets stay sealed with the key that sealed them, so the shared
 * state needs that key as {@code HERALD_SECRET_KEY} or {@code HERALD_SECRET_KEY_PREVIOUS} (the
 * subscriptions re-seal with the current key when they open). Deduplication keys are not copied: they
 * expire within the dedup window, and the instance was stopped to be moved.
 */
public final class StateImport {

    /** The tables copied, in order. */
    static final List<String> TABLES = List.of("tokens", "api_subscriptions", "subscription_reads",
            "schema_versions", "schema_aliases");

    private StateImport() {
    }

    /**
     * Copies {@code file}'s state into {@code shared} when {@code shared} holds no token and no subscription.
     * The file is migrated to this Herald's tables first, and left in place.
     *
     * @return the rows copied per table, or empty when {@code shared} was already in use
     * @throws IllegalStateException when the file cannot be read or the copy fails (nothing is copied then)
     */
    public static Optional<Map<String, Integer>> fromSqlite(Path file, ServerDatabase shared) {
        try (ServerDatabase old = ServerDatabase.open(file, shared.secrets())) {
            return old.with(source -> shared.with(target -> copy(source, target)));
        }
    }

    private static Optional<Map<String, Integer>> copy(Connection source, Connection target) throws SQLException {
        target.setAutoCommit(false);
        try {
            try (Statement statement = target.createStatement()) {
                statement.execute("LOCK TABLE tokens, api_subscriptions IN SHARE ROW EXCLUSIVE MODE");
                try (ResultSet inUse = statement.executeQuery("SELECT (SELECT COUNT(*) FROM tokens) "
                        + "+ (SELECT COUNT(*) FROM api_subscriptions)")) {
                    inUse.next();
                    if (inUse.getLong(1) > 0) {
                        target.rollback();
                        return Optional.empty();
                    }
                }
            }
            Map<String, Integer> copied = new LinkedHashMap<>();
            for (String table : TABLES) {
                copied.put(table, copyTable(source, target, table));
            }
            target.commit();
            return Optional.of(copied);
        } catch (SQLException | RuntimeException e) {
            target.rollback();
            throw e;
        } finally {
            target.setAutoCommit(true);
        }
    }

    private static int copyTable(Connection source, Connection target, String table) throws SQLException {
        try (Statement select = source.createStatement();
             ResultSet rows = select.executeQuery("SELECT * FROM " + table)) {
            ResultSetMetaData meta = rows.getMetaData();
            List<String> columns = new ArrayList<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                columns.add(meta.getColumnName(i));
            }
            int count = 0;
            // ON CONFLICT: an instance starting meanwhile may have added the shipped schemas already.
            try (PreparedStatement insert = target.prepareStatement("INSERT INTO " + table + " ("
                    + String.join(", ", columns) + ") VALUES (" + String.join(", ", Collections.nCopies(columns.size(),
                    "?")) + ") ON CONFLICT DO NOTHING")) {
                while (rows.next()) {
                    for (int i = 1; i <= columns.size(); i++) {
                        insert.setObject(i, rows.getObject(i));
                    }
                    count += insert.executeUpdate();
                }
            }
            return count;
        }
    }
}
