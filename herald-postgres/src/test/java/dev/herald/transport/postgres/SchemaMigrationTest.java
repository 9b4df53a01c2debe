package dev.herald.transport.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.transport.TransportException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Versioned migrations: created on first open, idempotent, safe when processes start together. */
class SchemaMigrationTest {

    private TestDatabase database;

    @BeforeEach
    void createSchema() {
        database = TestDatabase.create();
    }

    @AfterEach
    void dropSchema() throws Exception {
        database.close();
    }

    @Test
    void transportsStartingTogetherOnANewSchemaMigrateItOnce() throws Exception {
        int starters = 6;
        CountDownLatch go = new CountDownLatch(1);
        ConcurrentLinkedQueue<Object> outcomes = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < starters; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                    outcomes.add(PostgresTransport.open(database.jdbcUrl(), database.options().withPoolSize(1)));
                } catch (Throwable e) {
                    outcomes.add(e);
                }
            }));
        }
        go.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        for (Object outcome : outcomes) {
            if (outcome instanceof PostgresTransport transport) {
                transport.close();
            }
        }
        assertThat(outcomes).allMatch(PostgresTransport.class::isInstance);
        assertThat(versions()).containsExactly(1);

        // Opening again changes nothing.
        PostgresTransport.open(database.jdbcUrl(), database.options()).close();
        assertThat(versions()).containsExactly(1);
    }

    @Test
    void aSchemaFromANewerHeraldIsRefused() throws Exception {
        PostgresTransport.open(database.jdbcUrl(), database.options()).close();
        database.execute("INSERT INTO ${s}.schema_version (version, description) VALUES (999, 'from the future')");
        assertThatThrownBy(() -> PostgresTransport.open(database.jdbcUrl(), database.options()))
                .isInstanceOf(TransportException.class).hasMessageContaining("newer than this Herald knows");
    }

    private List<Integer> versions() throws Exception {
        List<Integer> versions = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl());
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT version FROM \"" + database.schema()
                     + "\".schema_version ORDER BY version")) {
            while (rs.next()) {
                versions.add(rs.getInt(1));
            }
        }
        return versions;
    }
}
