package dev.herald.server.auth;

import dev.herald.server.state.ServerDatabase;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * API tokens, kept in the server database as SHA-256 hashes: the secret is shown once, when the token
 * is created, and never stored, logged or returned again.
 *
 * <p>A token reads {@code hrld_<id>_<secret>}: the recognisable prefix (for secret scanners), a public
 * id (what lists and audit logs show, and how a presented token is found), and 256 random bits. A
 * presented token is found by its id and its hash compared in constant time. A token set through
 * {@code HERALD_ADMIN_TOKEN} may have any form; it is found by comparing against every such token.
 *
 * <p>Lookups are cached for {@value #CACHE_SECONDS} seconds; changes made through this store take
 * effect at once, and on every other instance sharing the state as soon as its change feed tells it
 * ({@code tokens:<id>}), which empties its cache.
 */
public final class TokenStore {

    /** The prefix of every generated token. */
    public static final String PREFIX = "hrld_";

    static final int CACHE_SECONDS = 10;
    /** The change feed topic prefix of a token: {@code tokens:<id>}. */
    static final String CHANGE_TOPIC = "tokens:";
    private static final Duration LAST_USED_GRANULARITY = Duration.ofMinutes(1);
    private static final char[] ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    /**
     * A token as stored, without its secret.
     *
     * @param id         public id
     * @param name       who or what uses it
     * @param scopes     what it may do
     * @param project    the project it is restricted to
     * @param createdAt  when it was created
     * @param createdBy  the id of the token that created it ({@code bootstrap} for the first admin token)
     * @param expiresAt  when it stops working, if ever
     * @param revokedAt  when it was revoked, if it was
     * @param lastUsedAt when it last authenticated a request (to the minute)
     */
    public record TokenInfo(String id, String name, List<Scope> scopes, Optional<String> project,
                            Instant createdAt, String createdBy, Optional<Instant> expiresAt,
                            Optional<Instant> revokedAt, Optional<Instant> lastUsedAt) {

        public TokenInfo {
            scopes = List.copyOf(scopes);
        }

        /** Not revoked and not expired at {@code now}. */
        public boolean active(Instant now) {
            return revokedAt.isEmpty() && expiresAt.map(now::isBefore).orElse(true);
        }

        /** {@code active}, {@code revoked} or {@code expired}. */
        public String status(Instant now) {
            return revokedAt.isPresent() ? "revoked" : active(now) ? "active" : "expired";
        }

        public boolean isAdmin() {
            return scopes.contains(Scope.ADMIN);
        }

        /** The principal this token authenticates. */
        public TokenPrincipal principal() {
            return new TokenPrincipal(id, name, scopes, project);
        }
    }

    /**
     * A new token with its secret, which exists only in this object.
     *
     * @param info   the stored token
     * @param secret the token to give to its user, once
     */
    public record Created(TokenInfo info, String secret) {

        @Override
        public String toString() {
            return "Created[" + info + ", secret=<hidden>]";
        }
    }

    private record Row(TokenInfo info, byte[] hash, boolean custom) {
    }

    private record Cached(Optional<Row> row, Instant loadedAt) {
    }

    private final ServerDatabase db;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final ConcurrentHashMap<String, Cached> byId = new ConcurrentHashMap<>();
    private volatile Cached customTokens;
    private volatile List<Row> customRows = List.of();

    public TokenStore(ServerDatabase db) {
        this(db, Clock.systemUTC());
    }

    public TokenStore(ServerDatabase db, Clock clock) {
        this.db = Objects.requireNonNull(db, "db");
        this.clock = Objects.requireNonNull(clock, "clock");
        db.onChange(topic -> {
            if (topic.startsWith(CHANGE_TOPIC) || topic.equals(ServerDatabase.RESYNC)) {
                byId.clear();
                customTokens = null;
            }
        });
    }

    /** Whether no token was ever created (the server's first start). */
    public boolean isEmpty() {
        return db.with(connection -> {
            try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM tokens")) {
                return rs.next() && rs.getLong(1) == 0;
            }
        });
    }

    /**
     * Creates a token with a generated secret.
     *
     * @param expiresAt null for a token that does not expire
     * @throws IllegalArgumentException when the combination is not allowed (admin with a project, no scopes)
     */
    public Created create(String name, List<Scope> scopes, String project, Instant expiresAt, String createdBy) {
        String id = newId();
        byte[] secretBytes = new byte[32];
        random.nextBytes(secretBytes);
        String secret = PREFIX + id + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
        return insert(id, secret, false, name, scopes, project, expiresAt, createdBy);
    }

    /** Creates a token whose secret the operator chose ({@code HERALD_ADMIN_TOKEN}). */
    public Created createWithSecret(String secret, String name, List<Scope> scopes, String createdBy) {
        return insert(newId(), secret, true, name, scopes, null, null, createdBy);
    }

    private Created insert(String id, String secret, boolean custom, String name, List<Scope> scopes, String project,
                           Instant expiresAt, String createdBy) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a token needs a name (who or what uses it)");
        }
        if (scopes.isEmpty()) {
            throw new IllegalArgumentException("a token needs at least one scope");
        }
        if (project != null && scopes.contains(Scope.ADMIN)) {
            throw new IllegalArgumentException("an admin token cannot be restricted to a project");
        }
        if (project != null && scopes.contains(Scope.METRICS)) {
            // Metrics count every project's events: a project-restricted token must not see them.
            throw new IllegalArgumentException("a token with the metrics scope cannot be restricted to a project "
                    + "(metrics cover every project)");
        }
        Instant now = clock.instant();
        if (expiresAt != null && !expiresAt.isAfter(now)) {
            throw new IllegalArgumentException("the expiry " + expiresAt + " is not in the future");
        }
        TokenInfo info = new TokenInfo(id, name.strip(), List.copyOf(scopes), Optional.ofNullable(project), now,
                createdBy, Optional.ofNullable(expiresAt), Optional.empty(), Optional.empty());
        byte[] hash = hash(secret);
        db.with(connection -> {
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO tokens (id, name, hash, custom, "
                    + "scopes, project, created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, id);
                insert.setString(2, info.name());
                insert.setBytes(3, hash);
                insert.setInt(4, custom ? 1 : 0);
                insert.setString(5, joinScopes(scopes));
                insert.setString(6, project);
                insert.setLong(7, now.toEpochMilli());
                insert.setString(8, createdBy);
                setInstant(insert, 9, expiresAt);
                insert.executeUpdate();
            }
            return null;
        });
        invalidate(id);
        db.changed(CHANGE_TOPIC + id);
        return new Created(info, secret);
    }

    /** Every token, newest first; revoked and expired ones only when asked. */
    public List<TokenInfo> list(boolean includeInactive) {
        Instant now = clock.instant();
        return db.with(connection -> {
            List<TokenInfo> tokens = new ArrayList<>();
            try (Statement s = connection.createStatement();
                 ResultSet rs = s.executeQuery("SELECT * FROM tokens ORDER BY created_at DESC, id")) {
                while (rs.next()) {
                    TokenInfo info = row(rs).info();
                    if (includeInactive || info.active(now)) {
                        tokens.add(info);
                    }
                }
            }
            return tokens;
        });
    }

    /** One token by id. */
    public Optional<TokenInfo> find(String id) {
        return load(id).map(Row::info);
    }

    /** Revokes a token; false when there is no such token or it was revoked already. */
    public boolean revoke(String id) {
        long now = clock.millis();
        int changed = db.with(connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
                update.setLong(1, now);
                update.setString(2, id);
                return update.executeUpdate();
            }
        });
        invalidate(id);
        if (changed > 0) {
            db.changed(CHANGE_TOPIC + id);
        }
        return changed > 0;
    }

    /** How many active tokens have the admin scope. */
    public long activeAdmins() {
        Instant now = clock.instant();
        return list(false).stream().filter(t -> t.isAdmin() && t.active(now)).count();
    }

    /**
     * The active token a presented bearer secret belongs to.
     *
     * @return empty for an unknown, revoked or expired token
     */
    public Optional<TokenInfo> authenticate(String presented) {
        if (presented == null || presented.isEmpty() || presented.length() > 512) {
            return Optional.empty();
        }
        byte[] hash = hash(presented);
        Instant now = clock.instant();
        Optional<Row> found = idOf(presented).flatMap(this::load)
                .filter(row -> !row.custom() && MessageDigest.isEqual(row.hash(), hash));
        if (found.isEmpty()) {
            found = customs().stream().filter(row -> MessageDigest.isEqual(row.hash(), hash)).findFirst();
        }
        found = found.filter(row -> row.info().active(now));
        found.ifPresent(row -> touch(row.info(), now));
        return found.map(Row::info);
    }

    private void touch(TokenInfo info, Instant now) {
        if (info.lastUsedAt().map(t -> Duration.between(t, now).compareTo(LAST_USED_GRANULARITY) < 0).orElse(false)) {
            return;
        }
        db.with(connection -> {
            try (PreparedStatement update = connection.prepareStatement("UPDATE tokens SET last_used_at = ? WHERE id = ?")) {
                update.setLong(1, now.toEpochMilli());
                update.setString(2, info.id());
                return update.executeUpdate();
            }
        });
        invalidate(info.id());
    }

    private Optional<Row> load(String id) {
        Instant now = clock.instant();
        Cached cached = byId.get(id);
        if (cached != null && cached.loadedAt().plusSeconds(CACHE_SECONDS).isAfter(now)) {
            return cached.row();
        }
        Optional<Row> row = db.with(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT * FROM tokens WHERE id = ?")) {
                select.setString(1, id);
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? Optional.of(row(rs)) : Optional.<Row>empty();
                }
            }
        });
        if (row.isPresent() || byId.size() < 10_000) {
            byId.put(id, new Cached(row, now));
        }
        return row;
    }

    private List<Row> customs() {
        Instant now = clock.instant();
        Cached cached = customTokens;
        if (cached != null && cached.loadedAt().plusSeconds(CACHE_SECONDS).isAfter(now)) {
            return customRows;
        }
        List<Row> rows = db.with(connection -> {
            List<Row> found = new ArrayList<>();
            try (Statement s = connection.createStatement();
                 ResultSet rs = s.executeQuery("SELECT * FROM tokens WHERE custom = 1 AND revoked_at IS NULL")) {
                while (rs.next()) {
                    found.add(row(rs));
                }
            }
            return found;
        });
        customRows = rows;
        customTokens = new Cached(Optional.empty(), now);
        return rows;
    }

    private void invalidate(String id) {
        byId.remove(id);
        customTokens = null;
    }

    /** The id inside a generated token ({@code hrld_<id>_<secret>}). */
    static Optional<String> idOf(String token) {
        if (!token.startsWith(PREFIX)) {
            return Optional.empty();
        }
        int end = token.indexOf('_', PREFIX.length());
        return end <= PREFIX.length() ? Optional.empty() : Optional.of(token.substring(PREFIX.length(), end));
    }

    private String newId() {
        char[] id = new char[12];
        for (int i = 0; i < id.length; i++) {
            id[i] = ID_ALPHABET[random.nextInt(ID_ALPHABET.length)];
        }
        return new String(id);
    }

    static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static Row row(ResultSet rs) throws SQLException {
        List<Scope> scopes = Arrays.stream(rs.getString("scopes").split(" ")).filter(s -> !s.isEmpty())
                .map(Scope::parse).toList();
        TokenInfo info = new TokenInfo(rs.getString("id"), rs.getString("name"), scopes,
                Optional.ofNullable(rs.getString("project")), Instant.ofEpochMilli(rs.getLong("created_at")),
                rs.getString("created_by"), instant(rs, "expires_at"), instant(rs, "revoked_at"),
                instant(rs, "last_used_at"));
        return new Row(info, rs.getBytes("hash"), rs.getInt("custom") == 1);
    }

    private static Optional<Instant> instant(ResultSet rs, String column) throws SQLException {
        long millis = rs.getLong(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(millis));
    }

    private static void setInstant(PreparedStatement statement, int index, Instant instant) throws SQLException {
        if (instant == null) {
            statement.setNull(index, Types.INTEGER);
        } else {
            statement.setLong(index, instant.toEpochMilli());
        }
    }

    private static String joinScopes(List<Scope> scopes) {
        return String.join(" ", scopes.stream().map(Scope::toString).distinct().toList());
    }
}
