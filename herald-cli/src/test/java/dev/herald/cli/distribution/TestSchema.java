package dev.herald.cli.distribution;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A fresh PostgreSQL schema on the local test database, dropped with everything in it on close (with the
 * server state's default schema beside it, {@code <name>_state}).
 */
public record TestSchema(String name) implements AutoCloseable {

    /** The local test database. */
    public static final String URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

    /** A new schema named {@code <prefix>_<random>}. */
    public static TestSchema create(String prefix) {
        return new TestSchema(prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    }

    @Override
    public void close() throws SQLException {
        try (Connection connection = DriverManager.getConnection(URL);
             Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
            // The server's state on the postgres transport, by default in <postgres.schema>_state.
            statement.execute("DROP SCHEMA IF EXISTS " + name + "_state CASCADE");
        }
    }
}
