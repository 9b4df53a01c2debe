package dev.herald.server.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.server.auth.Scope;
import dev.herald.server.auth.TokenStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The state contract on PostgreSQL (a schema of its own per test, dropped after), plus what only a
 * shared state does: instances that start together migrate once, and a change made through one
 * reaches the others' caches within a second.
 */
class PostgresServerStateTest extends ServerStateContract {

    static final String URL = Optional.ofNullable(System.getenv("HERALD_POSTGRES_URL"))
            .orElse("jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

    private final SecretBox secrets = SecretBox.of(SecretBox.generateKey(), List.of());
    private final String schema = "state_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    @Override
    ServerDatabase open() {
        return ServerDatabase.openPostgres(URL, schema, secrets);
    }

    @AfterEach
    void dropSchema() throws SQLException {
        try (Connection connection = DriverManager.getConnection(URL); Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @Test
    void instancesStartingTogetherMigrateOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<ServerDatabase>> opening = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            opening.add(pool.submit((Callable<ServerDatabase>) this::open));
        }
        List<ServerDatabase> opened = new ArrayList<>();
        try {
            for (Future<ServerDatabase> future : opening) {
                opened.add(future.get());
            }
            assertThat(migrations(opened.get(0))).isEqualTo(Migrations.ALL.size());
        } finally {
            opened.forEach(ServerDatabase::close);
            pool.shutdown();
        }
    }

    @Test
    void aTokenRevokedOnOneInstanceIsRefusedByAnotherWithinASecond() {
        try (ServerDatabase one = open(); ServerDatabase other = open()) {
            TokenStore onOne = new TokenStore(one);
            TokenStore onOther = new TokenStore(other);
            TokenStore.Created token = onOne.create("ci", List.of(Scope.parse("publish:*")), null, null, "test");
            assertThat(onOther.authenticate(token.secret())).as("known on the other, and now cached there").isPresent();

            onOne.revoke(token.info().id());

            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                    .until(() -> onOther.authenticate(token.secret()).isEmpty());
        }
    }

    @Test
    void changesAreAnnouncedToTheOtherInstancesOnly() {
        try (ServerDatabase one = open(); ServerDatabase other = open()) {
            List<String> heardByOne = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<String> heardByOther = new java.util.concurrent.CopyOnWriteArrayList<>();
            one.onChange(heardByOne::add);
            other.onChange(heardByOther::add);

            one.changed("subscriptions:orders");

            await().atMost(Duration.ofSeconds(1)).until(() -> heardByOther.contains("subscriptions:orders"));
            assertThat(heardByOne).doesNotContain("subscriptions:orders");
        }
    }
}
