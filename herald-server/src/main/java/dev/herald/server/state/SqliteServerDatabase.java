package dev.herald.server.state;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The state in one SQLite file, for a single instance. State changes are rare and small: one
 * connection behind a lock is enough. The file is readable by the server's user only (mode 0600; SQLite
 * gives its WAL files the same mode). No other instance shares it, so changes are announced to nobody.
 */
final class SqliteServerDatabase implements ServerDatabase {

    private final Connection connection;
    private final SecretBox secrets;
    private final ReentrantLock lock = new ReentrantLock();

    private SqliteServerDatabase(Connection connection, SecretBox secrets) {
        this.connection = connection;
        this.secrets = secrets;
    }

    static SqliteServerDatabase open(Path file, SecretBox secrets) {
        Connection connection = null;
        try {
            OwnerOnlyFiles.ensure(file);
            connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement statement = connection.createStatement()) {
                statement.execute("PRAGMA journal_mode=WAL");
                statement.execute("PRAGMA synchronous=FULL");
                statement.execute("PRAGMA busy_timeout=5000");
            }
            Migrations.apply(connection, Dialect.SQLITE, Migrations.ALL);
            return new SqliteServerDatabase(connection, secrets);
        } catch (SQLException | IOException | RuntimeException e) {
            closeQuietly(connection, e);
            throw new IllegalStateException("cannot open the server database " + file + ": " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(Connection connection, Exception cause) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                cause.addSuppressed(e);
            }
        }
    }

    @Override
    public <T> T with(Work<T> work) {
        lock.lock();
        try {
            return work.run(connection);
        } catch (SQLException e) {
            throw new IllegalStateException("server database: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public SecretBox secrets() {
        return secrets;
    }

    @Override
    public Dialect dialect() {
        return Dialect.SQLITE;
    }

    @Override
    public boolean shared() {
        return false;
    }

    @Override
    public void changed(String topic) {
        // No other instance to tell.
    }

    @Override
    public void onChange(Consumer<String> listener) {
        // Nothing is ever announced.
    }

    @Override
    public void close() {
        lock.lock();
        try {
            connection.close();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot close the server database", e);
        } finally {
            lock.unlock();
        }
    }
}
