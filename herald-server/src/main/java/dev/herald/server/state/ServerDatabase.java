package dev.herald.server.state;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The server's own state (tokens, subscription resources, deduplication keys) in one SQLite file
 * beside the event store, kept apart from the transport so that the server works on any transport.
 * State changes are rare and small: one connection behind a lock is enough. Each store creates its
 * own tables with {@code CREATE TABLE IF NOT EXISTS} from its constructor.
 *
 * <p>The file is readable by the server's user only (mode 0600; SQLite gives its WAL files the same
 * mode), and secrets are stored sealed by {@link #secrets()}.
 */
public final class ServerDatabase implements AutoCloseable {

    /** Work done with the connection, inside the lock. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private final Connection connection;
    private final SecretBox secrets;
    private final ReentrantLock lock = new ReentrantLock();

    private ServerDatabase(Connection connection, SecretBox secrets) {
        this.connection = connection;
        this.secrets = secrets;
    }

    /**
     * Opens (creating if missing) the database file, sealing secrets with the key file beside it
     * ({@link SecretKeys}).
     */
    public static ServerDatabase open(Path file) {
        return open(file, SecretKeys.load(file.toAbsolutePath().getParent(), Optional.empty(), Optional.empty()));
    }

    /** Opens (creating if missing) the database file with mode 0600, in WAL mode with full sync. */
    public static ServerDatabase open(Path file, SecretBox secrets) {
        try {
            OwnerOnlyFiles.ensure(file);
            Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement statement = connection.createStatement()) {
                statement.execute("PRAGMA journal_mode=WAL");
                statement.execute("PRAGMA synchronous=FULL");
                statement.execute("PRAGMA busy_timeout=5000");
            }
            return new ServerDatabase(connection, secrets);
        } catch (SQLException | java.io.IOException e) {
            throw new IllegalStateException("cannot open the server database " + file, e);
        }
    }

    /** Seals the secrets stored in this database (webhook secrets, credential headers). */
    public SecretBox secrets() {
        return secrets;
    }

    /** Runs work with the connection (auto-commit on; use a transaction inside for multi-statement changes). */
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
