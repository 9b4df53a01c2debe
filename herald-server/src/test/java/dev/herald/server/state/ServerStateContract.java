package dev.herald.server.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.server.auth.Scope;
import dev.herald.server.auth.TokenStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What every implementation of the server's state must do, run against SQLite and PostgreSQL: the
 * migrations, and the stores' portable SQL.
 */
abstract class ServerStateContract {

    /** Opens the state of this test (the same storage every time it is called within one test). */
    abstract ServerDatabase open();

    @Test
    void aNewStateIsMigratedToTheLatestVersionOnce() {
        try (ServerDatabase db = open()) {
            assertThat(migrations(db)).isEqualTo(Migrations.ALL.size());
        }
        try (ServerDatabase db = open()) {
            assertThat(migrations(db)).as("reopening applies nothing again").isEqualTo(Migrations.ALL.size());
        }
    }

    @Test
    void stateSurvivesReopening() {
        String secret;
        try (ServerDatabase db = open()) {
            secret = new TokenStore(db).create("ci", List.of(Scope.parse("publish:*")), null, null, "test").secret();
        }
        try (ServerDatabase db = open()) {
            assertThat(new TokenStore(db).authenticate(secret)).map(TokenStore.TokenInfo::name).contains("ci");
        }
    }

    @Test
    void aStateMigratedByANewerHeraldIsRefused() {
        try (ServerDatabase db = open()) {
            db.with(connection -> {
                try (Statement statement = connection.createStatement()) {
                    return statement.executeUpdate("INSERT INTO herald_migrations (version, name, applied_at) "
                            + "VALUES (" + (Migrations.ALL.size() + 1) + ", 'from the future', 0)");
                }
            });
        }
        assertThatThrownBy(this::open).hasMessageContaining("upgraded by a newer Herald");
    }

    @Test
    void theReadsTableARelease3CreatedOnItsOwnIsAdoptedWithItsRows() {
        try (ServerDatabase db = open()) {
            db.with(connection -> {
                try (Statement statement = connection.createStatement()) {
                    // What a state left by a Herald whose last migration was 3 looks like: the table, made ad hoc,
                    // and none of the later migrations' tables.
                    statement.executeUpdate("DELETE FROM herald_migrations WHERE version >= 4");
                    statement.executeUpdate("DROP TABLE schema_versions");
                    statement.executeUpdate("DROP TABLE schema_aliases");
                    statement.executeUpdate("INSERT INTO subscription_reads (id, last_read_at) "
                            + "VALUES ('orders', '2026-12-01T10:00:00Z')");
                    return null;
                }
            });
        }
        try (ServerDatabase db = open()) {
            assertThat(migrations(db)).isEqualTo(Migrations.ALL.size());
            String kept = db.with(connection -> {
                try (Statement statement = connection.createStatement();
                     ResultSet rs = statement.executeQuery("SELECT last_read_at FROM subscription_reads WHERE id = 'orders'")) {
                    return rs.next() ? rs.getString(1) : null;
                }
            });
            assertThat(kept).isEqualTo("2026-12-01T10:00:00Z");
        }
    }

    @Test
    void tokensAreCreatedFoundAndRevoked() {
        try (ServerDatabase db = open()) {
            TokenStore tokens = new TokenStore(db);
            assertThat(tokens.isEmpty()).isTrue();
            TokenStore.Created created = tokens.create("ci", List.of(Scope.parse("publish:*")), "gid://p/1", null, "test");
            assertThat(tokens.authenticate(created.secret())).isPresent();
            assertThat(tokens.list(false)).extracting(TokenStore.TokenInfo::id).containsExactly(created.info().id());
            assertThat(tokens.revoke(created.info().id())).isTrue();
            assertThat(tokens.revoke(created.info().id())).as("twice").isFalse();
            assertThat(tokens.authenticate(created.secret())).isEmpty();
        }
    }

    @Test
    void deduplicationKeysUpsertAndExpireInPortableSql() {
        try (ServerDatabase db = open()) {
            byte[] key = new byte[16];
            key[0] = 7;
            for (long expiry : new long[] {100, 200}) {
                db.with(connection -> {
                    try (PreparedStatement upsert = connection.prepareStatement(
                            "INSERT INTO dedup_keys (key, expires_at) VALUES (?, ?) "
                                    + "ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at")) {
                        upsert.setBytes(1, key);
                        upsert.setLong(2, expiry);
                        return upsert.executeUpdate();
                    }
                });
            }
            long stored = db.with(connection -> {
                try (PreparedStatement select = connection.prepareStatement(
                        "SELECT expires_at FROM dedup_keys WHERE key IN (?)")) {
                    select.setBytes(1, key);
                    try (ResultSet rs = select.executeQuery()) {
                        rs.next();
                        return rs.getLong(1);
                    }
                }
            });
            assertThat(stored).isEqualTo(200);
        }
    }

    static int migrations(ServerDatabase db) {
        return db.with(connection -> {
            try (Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery("SELECT COUNT(*), MAX(version) FROM herald_migrations")) {
                rs.next();
                assertThat(rs.getInt(1)).as("one row per migration").isEqualTo(rs.getInt(2));
                return rs.getInt(2);
            }
        });
    }
}
