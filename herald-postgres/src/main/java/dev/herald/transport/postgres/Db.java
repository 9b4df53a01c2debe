package dev.herald.transport.postgres;

import dev.herald.transport.TransportException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * The transport's access to its database: SQL written against the {@code ${s}} placeholder for the
 * configured schema, and transactions on pooled connections.
 *
 * <p>Two commit modes. {@link #durable} commits with the server's {@code synchronous_commit} (on by
 * default): used for publishes and for changes to subscriptions and dead letters, which must not be
 * lost. {@link #relaxed} commits without waiting for the WAL flush: used for leases and settlements,
 * whose loss in a crash <em>of the database server</em> only means a redelivery, and which would
 * otherwise wait for an fsync each. A crash of the Herald process loses neither.
 */
final class Db {

    /** Work inside a transaction. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private final DataSource dataSource;
    private final String schema;
    private final String quotedSchema;

    Db(DataSource dataSource, String schema) {
        this.dataSource = dataSource;
        this.schema = schema;
        this.quotedSchema = '"' + schema + '"';
    }

    DataSource dataSource() {
        return dataSource;
    }

    String schema() {
        return schema;
    }

    /** The schema, quoted as an identifier. */
    String quotedSchema() {
        return quotedSchema;
    }

    /** {@code sql} with every {@code ${s}} replaced by the quoted schema. */
    String sql(String sql) {
        return sql.replace("${s}", quotedSchema);
    }

    /**
     * Prefix of a single statement that commits like {@link #relaxed}: the statement must also say
     * {@code AND EXISTS (SELECT FROM relaxed)} so that the setting is made before it writes. Run in
     * auto-commit ({@link #autoCommit}), the statement is its own transaction and the local setting
     * holds until its commit: one round trip instead of four.
     */
    static final String RELAXED = "WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true)) ";

    /** Runs work on a connection in auto-commit mode: one transaction per statement. */
    <T> T autoCommit(String what, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            return work.run(connection);
        } catch (SQLException e) {
            throw new TransportException(what + " failed: " + e.getMessage(), e);
        }
    }

    /** Runs work in a transaction committed durably; rolls back and rethrows on failure. */
    <T> T durable(String what, Work<T> work) {
        return inTransaction(what, false, work);
    }

    /**
     * Runs work in a transaction whose commit mode the work sets itself (a statement calling
     * {@code set_config('synchronous_commit', 'off', true)} saves the round trip of {@link #relaxed}).
     */
    <T> T transaction(String what, Work<T> work) {
        return inTransaction(what, false, work);
    }

    /** Runs work in a transaction committed without waiting for the WAL flush (see the class comment). */
    <T> T relaxed(String what, Work<T> work) {
        return inTransaction(what, true, work);
    }

    private <T> T inTransaction(String what, boolean relaxed, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            T result;
            try {
                if (relaxed) {
                    try (Statement statement = connection.createStatement()) {
                        statement.execute("SET LOCAL synchronous_commit TO OFF");
                    }
                }
                result = work.run(connection);
                connection.commit();
            } catch (SQLException | RuntimeException | Error e) {
                // Rolled back and handed back as it came; failures doing so must not hide this one.
                try {
                    connection.rollback();
                    connection.setAutoCommit(true);
                } catch (SQLException cleanupFailure) {
                    e.addSuppressed(cleanupFailure);
                }
                throw e;
            }
            connection.setAutoCommit(true);
            return result;
        } catch (SQLException e) {
            throw new TransportException(what + " failed: " + e.getMessage(), e);
        }
    }

    /** A timestamp parameter: pgjdbc maps {@link OffsetDateTime} to {@code timestamptz}. */
    static OffsetDateTime timestamp(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    /** Microseconds, PostgreSQL's time resolution, rounded up so that no delay is shortened. */
    static long micros(Duration duration) {
        long nanos = duration.toNanos();
        return TimeUnit.NANOSECONDS.toMicros(nanos) + (nanos % 1_000 == 0 ? 0 : 1);
    }
}
