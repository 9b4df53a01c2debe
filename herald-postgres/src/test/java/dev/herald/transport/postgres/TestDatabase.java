package dev.herald.transport.postgres;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A fresh schema on the test database, dropped by {@link #close()}, so that test runs (and test
 * classes) never see each other's tables.
 *
 * <p>The database: system property {@code herald.postgres.url}, else environment variable
 * {@code HERALD_POSTGRES_URL}, else {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}.
 * When it is unreachable the tests fail loudly (integration tests run against a real PostgreSQL), unless
 * {@code herald.postgres.skip=true} asks to skip them on a machine without one.
 */
final class TestDatabase implements AutoCloseable {

    static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

    private final String url;
    private final String schema;
    private HikariDataSource callerPool;

    private TestDatabase(String url, String schema) {
        this.url = url;
        this.schema = schema;
    }

    /** A new schema name on the test database; fails (or skips, when asked) when it is unreachable. */
    static TestDatabase create() {
        String url = url();
        try (Connection connection = DriverManager.getConnection(url)) {
            connection.isValid(5);
        } catch (SQLException e) {
            assumeTrue(!Boolean.getBoolean("herald.postgres.skip"),
                    "PostgreSQL at " + url + " is unreachable (skipped as asked): " + e.getMessage());
            throw new AssertionError("PostgreSQL at " + url + " is unreachable: start it, or run with "
                    + "-Dherald.postgres.skip=true to skip these tests", e);
        }
        byte[] random = new byte[5];
        ThreadLocalRandom.current().nextBytes(random);
        return new TestDatabase(url, "herald_test_" + HexFormat.of().formatHex(random));
    }

    /** A new schema name on the database at {@code url}, without checking that it is reachable. */
    static TestDatabase createUnchecked(String url) {
        byte[] random = new byte[5];
        ThreadLocalRandom.current().nextBytes(random);
        return new TestDatabase(url, "herald_bench_" + HexFormat.of().formatHex(random));
    }

    static String url() {
        String url = System.getProperty("herald.postgres.url");
        if (url == null || url.isBlank()) {
            url = System.getenv("HERALD_POSTGRES_URL");
        }
        return url == null || url.isBlank() ? DEFAULT_URL : url;
    }

    String jdbcUrl() {
        return url;
    }

    String schema() {
        return schema;
    }

    /** Options on this schema, with intervals short enough for tests. */
    PostgresOptions options() {
        return PostgresOptions.defaults().withSchema(schema).withPoolSize(8);
    }

    /** A pool for the callers' own transactions (the outbox side), closed with this database. */
    synchronized HikariDataSource callerPool() {
        if (callerPool == null) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(url);
            config.setMaximumPoolSize(20);
            config.setMinimumIdle(0);
            config.setPoolName("test-callers-" + schema);
            callerPool = new HikariDataSource(config);
        }
        return callerPool;
    }

    /** Runs SQL on the schema's database, in auto-commit. */
    void execute(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url); Statement statement = connection.createStatement()) {
            statement.execute(sql.replace("${s}", '"' + schema + '"'));
        }
    }

    /** Drops the schema with everything in it. */
    @Override
    public void close() throws SQLException {
        if (callerPool != null) {
            callerPool.close();
        }
        execute("DROP SCHEMA IF EXISTS ${s} CASCADE");
    }
}
