package dev.herald.server.state;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The server's own state (tokens, subscription resources, deduplication keys), kept apart from the
 * transport so that the server works on any transport. Two implementations:
 * <ul>
 *   <li>{@linkplain #open(Path) SQLite}: one file beside the event store, for one instance (the default);</li>
 *   <li>{@linkplain #openPostgres(String, String) PostgreSQL}: a schema of its own in a shared database, for any
 *       number of instances (setting {@code state.url}).</li>
 * </ul>
 * Both create and upgrade their tables through the numbered {@link Migrations} when opened, so stores
 * only read and write. Stores keep their SQL portable between the two; where the databases differ they
 * ask the {@link #dialect()}. Secrets are stored sealed by {@link #secrets()}.
 *
 * <p>Every store that changes state calls {@link #changed(String)} after the change is committed; the
 * other instances sharing the state hear it through {@link #onChange(Consumer)} within a second (on
 * PostgreSQL through {@code LISTEN/NOTIFY}, with a periodic {@link #RESYNC} as a safety net).
 */
public interface ServerDatabase extends AutoCloseable {

    /** The topic of a periodic "reload everything": the safety net for a change notice that was missed. */
    String RESYNC = "resync";

    /** Work done with a connection. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * Opens (creating if missing) the SQLite file, sealing secrets with the key file beside it
     * ({@link SecretKeys}).
     */
    static ServerDatabase open(Path file) {
        return open(file, SecretKeys.load(file.toAbsolutePath().getParent(), Optional.empty(), Optional.empty()));
    }

    /** Opens (creating if missing) the SQLite file with mode 0600, in WAL mode with full sync, and migrates it. */
    static ServerDatabase open(Path file, SecretBox secrets) {
        return SqliteServerDatabase.open(file, secrets);
    }

    /**
     * Opens the state in a PostgreSQL schema (created if missing) and migrates it under an advisory lock,
     * so that instances starting together migrate once.
     *
     * @param url     a {@code jdbc:postgresql:} URL
     * @param schema  the schema holding Herald's state tables
     * @param secrets seals the stored secrets; every instance sharing the state needs the same key
     */
    static ServerDatabase openPostgres(String url, String schema, SecretBox secrets) {
        return openPostgres(url, schema, secrets, PostgresServerDatabase.DEFAULT_POOL_SIZE);
    }

    /**
     * The state in PostgreSQL with a pool of {@code poolSize} connections.
     *
     * @see #openPostgres(String, String, SecretBox)
     */
    static ServerDatabase openPostgres(String url, String schema, SecretBox secrets, int poolSize) {
        return PostgresServerDatabase.open(url, schema, secrets, poolSize);
    }

    /** Seals the secrets stored in this database (webhook secrets, credential headers). */
    SecretBox secrets();

    /**
     * Runs work with a connection (auto-commit on; use a transaction inside for multi-statement
     * changes). Failures surface as {@link IllegalStateException}.
     */
    <T> T with(Work<T> work);

    /** Which SQL the connections speak where SQLite and PostgreSQL differ. */
    Dialect dialect();

    /** Whether other instances may share this state (so caches must follow the change feed). */
    boolean shared();

    /**
     * Announces a committed change to the other instances sharing the state (none on SQLite).
     *
     * @param topic what changed, {@code kind} or {@code kind:id} (e.g. {@code tokens:abc},
     *              {@code subscriptions:orders})
     */
    void changed(String topic);

    /** Calls the listener for every change announced by any instance (and for {@link #RESYNC}). */
    void onChange(Consumer<String> listener);

    @Override
    void close();
}
