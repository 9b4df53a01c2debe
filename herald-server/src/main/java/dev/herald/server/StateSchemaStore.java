package dev.herald.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.schema.SchemaStore;
import dev.herald.server.state.ServerDatabase;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The schema versions in the server's state (tables {@code schema_versions} and {@code schema_aliases},
 * migration 5), so that every instance sharing the state serves one catalog. A stored version announces
 * itself on the change feed as {@code schemas:<type>}; the {@link SchemaCatalog} refreshes the registry on
 * that notice and on every resync.
 *
 * <p>Who stores a version first wins: the primary key (type, version) and the alias URIs' primary key
 * refuse the second writer, whose registry then catches up and decides again.
 */
final class StateSchemaStore implements SchemaStore {

    /** The change-feed topic prefix of a stored version. */
    static final String CHANGE_TOPIC = "schemas:";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ServerDatabase db;

    StateSchemaStore(ServerDatabase db) {
        this.db = db;
    }

    @Override
    public List<Stored> newerThan(Map<String, Integer> known) {
        return db.with(connection -> {
            Map<String, Integer> behind = new LinkedHashMap<>();
            try (Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery(
                         "SELECT type, MAX(version) FROM schema_versions GROUP BY type ORDER BY type")) {
                while (rows.next()) {
                    int held = known.getOrDefault(rows.getString(1), 0);
                    if (rows.getInt(2) > held) {
                        behind.put(rows.getString(1), held);
                    }
                }
            }
            List<Stored> newer = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("SELECT version, document FROM "
                    + "schema_versions WHERE type = ? AND version > ? ORDER BY version")) {
                for (Map.Entry<String, Integer> type : behind.entrySet()) {
                    select.setString(1, type.getKey());
                    select.setInt(2, type.getValue());
                    try (ResultSet rows = select.executeQuery()) {
                        while (rows.next()) {
                            newer.add(new Stored(type.getKey(), rows.getInt(1), parse(rows.getString(2))));
                        }
                    }
                }
            }
            return newer;
        });
    }

    @Override
    public boolean add(Stored version, List<URI> aliases) {
        boolean stored = db.with(connection -> {
            connection.setAutoCommit(false);
            try {
                boolean won = insertVersion(connection, version) && claim(connection, version, aliases);
                if (won) {
                    connection.commit();
                } else {
                    connection.rollback();
                }
                return won;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        });
        if (stored) {
            db.changed(CHANGE_TOPIC + version.type());
        }
        return stored;
    }

    /** The stored document of one version, if stored. */
    Optional<JsonNode> document(String type, int version) {
        return db.with(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT document FROM schema_versions WHERE type = ? AND version = ?")) {
                select.setString(1, type);
                select.setInt(2, version);
                try (ResultSet rows = select.executeQuery()) {
                    return rows.next() ? Optional.of(parse(rows.getString(1))) : Optional.empty();
                }
            }
        });
    }

    private static boolean insertVersion(Connection connection, Stored version) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO schema_versions "
                + "(type, version, document, registered_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            insert.setString(1, version.type());
            insert.setInt(2, version.version());
            insert.setString(3, JSON.writeValueAsString(version.schema()));
            insert.setLong(4, System.currentTimeMillis());
            return insert.executeUpdate() == 1;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize the schema of " + version.type(), e);
        }
    }

    private static boolean claim(Connection connection, Stored version, List<URI> aliases) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO schema_aliases (uri, type, version) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            for (URI alias : aliases) {
                insert.setString(1, alias.toString());
                insert.setString(2, version.type());
                insert.setInt(3, version.version());
                if (insert.executeUpdate() != 1) {
                    return false;
                }
            }
            return true;
        }
    }

    private static JsonNode parse(String document) {
        try {
            return JSON.readTree(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored schema is not JSON: " + e.getOriginalMessage(), e);
        }
    }
}
