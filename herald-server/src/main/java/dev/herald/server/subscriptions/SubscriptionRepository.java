package dev.herald.server.subscriptions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.state.SecretBox;
import dev.herald.server.state.ServerDatabase;
import dev.herald.server.webhook.WebhookSecret;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Subscription resources in the server database, one row each: the definition as JSON, status,
 * secrets and health as columns. Positions, backlogs and dead letters live in the transport.
 *
 * <p>Secrets are stored sealed by the database's {@link SecretBox}: the signing secrets in their
 * columns, and the webhook's header values (credentials such as {@code Authorization}) as one sealed
 * JSON object in the definition's {@code protocolsettings.sealedheaders}, in place of
 * {@code headers}. Rows written in plaintext by earlier versions, or sealed with a key being rotated
 * out, are re-sealed with the current key when the repository opens.
 */
final class SubscriptionRepository {

    /** A stored row before its definition is read back. */
    record Row(String id, JsonNode definition, Function<SubscriptionDefinition, SubscriptionRecord> complete) {
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String COLUMNS = "id, definition, project, created_by, created_at, updated_at, status, "
            + "status_reason, status_changed_at, secret, previous_secret, previous_secret_expires_at, "
            + "consecutive_failures, failing_since, last_error, last_failure_at, last_success_at";

    private static final List<String> COLUMN_NAMES = List.of(COLUMNS.split(", "));
    /** The last five columns: consecutive_failures … last_success_at. */
    private static final int HEALTH_COLUMNS = 5;
    private static final String INSERT = "INSERT INTO api_subscriptions (" + COLUMNS + ") VALUES ("
            + String.join(", ", Collections.nCopies(COLUMN_NAMES.size(), "?")) + ")";
    /** Insert or replace, in the syntax SQLite and PostgreSQL share. */
    private static final String UPSERT = upsert(COLUMN_NAMES.subList(1, COLUMN_NAMES.size()));
    /** Insert or replace all but the health columns, which instances sharing the state count in place. */
    private static final String UPSERT_KEEPING_HEALTH = upsert(COLUMN_NAMES.subList(1,
            COLUMN_NAMES.size() - HEALTH_COLUMNS));
    private static final String SEALED_HEADERS = "sealedheaders";

    private final ServerDatabase db;
    private final SecretBox box;

    SubscriptionRepository(ServerDatabase db) {
        this.db = db;
        this.box = db.secrets();
        reseal();
    }

    /** Seals what an earlier version stored in plaintext, and what an older key sealed, with the current key. */
    private void reseal() {
        db.with(connection -> {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery("SELECT id, definition, secret, previous_secret "
                         + "FROM api_subscriptions");
                 PreparedStatement update = connection.prepareStatement("UPDATE api_subscriptions "
                         + "SET definition = ?, secret = ?, previous_secret = ? WHERE id = ?")) {
                while (rs.next()) {
                    String id = rs.getString("id");
                    String definition = rs.getString("definition");
                    String secret = rs.getString("secret");
                    String previous = rs.getString("previous_secret");
                    ObjectNode json = definitionJson(id, definition);
                    JsonNode settings = json.path("protocolsettings");
                    boolean stale = box.needsResealing(secret) || box.needsResealing(previous)
                            || settings.path("headers").size() > 0
                            || box.needsResealing(settings.path(SEALED_HEADERS).textValue());
                    if (stale) {
                        update.setString(1, sealHeaders(id, openHeaders(id, json)).toString());
                        update.setString(2, secret == null ? null : box.seal(open(secret, id, "secret"),
                                context(id, "secret")));
                        update.setString(3, previous == null ? null : box.seal(open(previous, id, "previous_secret"),
                                context(id, "previous_secret")));
                        update.setString(4, id);
                        update.executeUpdate();
                    }
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
            return null;
        });
    }

    /** Inserts a new resource; false when the id is taken. */
    boolean insert(SubscriptionRecord record) {
        // One statement: two instances creating the same id at once get one row and one refusal.
        return db.with(connection -> {
            try (PreparedStatement insert = connection.prepareStatement(INSERT + " ON CONFLICT (id) DO NOTHING")) {
                bind(insert, record);
                return insert.executeUpdate() == 1;
            }
        });
    }

    /** Stores a changed resource, its health included. */
    void save(SubscriptionRecord record) {
        save(record, UPSERT);
    }

    /**
     * Stores a changed resource but leaves the stored health as it is: where instances share the state,
     * the health columns are counted in place ({@link #recordFailure}, {@link #recordSuccess}).
     */
    void saveKeepingHealth(SubscriptionRecord record) {
        save(record, UPSERT_KEEPING_HEALTH);
    }

    private void save(SubscriptionRecord record, String upsert) {
        db.with(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(upsert)) {
                bind(statement, record);
                statement.executeUpdate();
            }
            return null;
        });
    }

    /**
     * Counts one more failed delivery in the stored row, atomically, so that every instance adds to the
     * same count; returns the health as stored after it.
     */
    SubscriptionRecord.Health recordFailure(String id, String error, Instant at) {
        return db.with(connection -> {
            try (PreparedStatement update = connection.prepareStatement("UPDATE api_subscriptions SET "
                    + "consecutive_failures = consecutive_failures + 1, failing_since = COALESCE(failing_since, ?), "
                    + "last_error = ?, last_failure_at = ? WHERE id = ? RETURNING consecutive_failures, "
                    + "failing_since, last_error, last_failure_at, last_success_at")) {
                update.setString(1, text(at));
                update.setString(2, error);
                update.setString(3, text(at));
                update.setString(4, id);
                try (ResultSet rs = update.executeQuery()) {
                    if (!rs.next()) {
                        return SubscriptionRecord.Health.NEW.failed(at, error);
                    }
                    return new SubscriptionRecord.Health(rs.getInt(1), instant(rs.getString(2)), rs.getString(3),
                            instant(rs.getString(4)), instant(rs.getString(5)));
                }
            }
        });
    }

    /** Clears the stored failure count after a successful delivery (or an enable). */
    void recordSuccess(String id, Instant at) {
        db.with(connection -> {
            try (PreparedStatement update = connection.prepareStatement("UPDATE api_subscriptions SET "
                    + "consecutive_failures = 0, failing_since = NULL, last_success_at = COALESCE(?, last_success_at) "
                    + "WHERE id = ?")) {
                update.setString(1, text(at));
                update.setString(2, id);
                return update.executeUpdate();
            }
        });
    }

    void delete(String id) {
        db.with(connection -> {
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM api_subscriptions WHERE id = ?")) {
                delete.setString(1, id);
                delete.executeUpdate();
            }
            return null;
        });
    }

    private static String upsert(List<String> updated) {
        return INSERT + " ON CONFLICT (id) DO UPDATE SET " + updated.stream().map(c -> c + " = excluded." + c)
                .collect(Collectors.joining(", "));
    }

    /** One stored row. */
    Optional<Row> find(String id) {
        return db.with(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT " + COLUMNS + " FROM api_subscriptions WHERE id = ?")) {
                select.setString(1, id);
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? Optional.of(row(rs)) : Optional.<Row>empty();
                }
            }
        });
    }

    /** Every stored row, by id. */
    List<Row> all() {
        return db.with(connection -> {
            List<Row> rows = new ArrayList<>();
            try (Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery("SELECT " + COLUMNS + " FROM api_subscriptions ORDER BY id")) {
                while (rs.next()) {
                    rows.add(row(rs));
                }
            }
            return rows;
        });
    }

    private Row row(ResultSet rs) throws SQLException {
        String id = rs.getString("id");
        JsonNode definition = openHeaders(id, definitionJson(id, rs.getString("definition")));
        String project = rs.getString("project");
        String createdBy = rs.getString("created_by");
        Instant createdAt = instant(rs.getString("created_at"));
        Instant updatedAt = instant(rs.getString("updated_at"));
        Status status = Status.fromJson(rs.getString("status"));
        String statusReason = rs.getString("status_reason");
        Instant statusChangedAt = instant(rs.getString("status_changed_at"));
        WebhookSecret secret = secret(rs.getString("secret"), id, "secret");
        WebhookSecret previous = secret(rs.getString("previous_secret"), id, "previous_secret");
        Instant previousExpires = instant(rs.getString("previous_secret_expires_at"));
        SubscriptionRecord.Health health = new SubscriptionRecord.Health(rs.getInt("consecutive_failures"),
                instant(rs.getString("failing_since")), rs.getString("last_error"),
                instant(rs.getString("last_failure_at")), instant(rs.getString("last_success_at")));
        return new Row(id, definition, parsed -> new SubscriptionRecord(parsed, project, createdBy, createdAt,
                updatedAt, status, statusReason, statusChangedAt, secret, previous, previousExpires, health));
    }

    private void bind(PreparedStatement statement, SubscriptionRecord record) throws SQLException {
        String id = record.id();
        statement.setString(1, id);
        statement.setString(2, sealHeaders(id, record.definition().toStoredJson()).toString());
        statement.setString(3, record.project());
        statement.setString(4, record.createdBy());
        statement.setString(5, text(record.createdAt()));
        statement.setString(6, text(record.updatedAt()));
        statement.setString(7, record.status().jsonName());
        statement.setString(8, record.statusReason());
        statement.setString(9, text(record.statusChangedAt()));
        statement.setString(10, record.secret() == null ? null
                : box.seal(record.secret().text(), context(id, "secret")));
        statement.setString(11, record.previousSecret() == null ? null
                : box.seal(record.previousSecret().text(), context(id, "previous_secret")));
        statement.setString(12, text(record.previousSecretExpiresAt()));
        SubscriptionRecord.Health health = record.health();
        statement.setInt(13, health.consecutiveFailures());
        statement.setString(14, text(health.failingSince()));
        statement.setString(15, health.lastError());
        statement.setString(16, text(health.lastFailureAt()));
        statement.setString(17, text(health.lastSuccessAt()));
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static Instant instant(String text) {
        return text == null ? null : Instant.parse(text);
    }

    private WebhookSecret secret(String stored, String id, String column) {
        return stored == null ? null : WebhookSecret.parse(open(stored, id, column));
    }

    private String open(String stored, String id, String column) {
        return box.open(stored, context(id, column));
    }

    /** The associated data of a sealed value: its row and column, so that it opens nowhere else. */
    private static String context(String id, String column) {
        return "api_subscriptions/" + id + "/" + column;
    }

    private static ObjectNode definitionJson(String id, String text) throws SQLException {
        try {
            return (ObjectNode) MAPPER.readTree(text);
        } catch (IOException | ClassCastException e) {
            throw new SQLException("subscription " + id + ": stored definition is not a JSON object", e);
        }
    }

    /** The stored form: {@code protocolsettings.headers} replaced by one sealed JSON object. */
    private ObjectNode sealHeaders(String id, ObjectNode definition) {
        if (definition.get("protocolsettings") instanceof ObjectNode settings
                && settings.get("headers") instanceof ObjectNode headers && !headers.isEmpty()) {
            settings.remove("headers");
            settings.put(SEALED_HEADERS, box.seal(headers.toString(), context(id, "headers")));
        }
        return definition;
    }

    /** The definition as parsed: {@code protocolsettings.sealedheaders} opened back into {@code headers}. */
    private ObjectNode openHeaders(String id, ObjectNode definition) throws SQLException {
        if (definition.get("protocolsettings") instanceof ObjectNode settings
                && settings.get(SEALED_HEADERS) instanceof JsonNode sealed && sealed.isTextual()) {
            settings.remove(SEALED_HEADERS);
            try {
                settings.set("headers", MAPPER.readTree(box.open(sealed.textValue(), context(id, "headers"))));
            } catch (IOException e) {
                throw new SQLException("subscription " + id + ": sealed headers are not a JSON object", e);
            }
        }
        return definition;
    }
}
