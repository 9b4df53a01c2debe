package dev.herald.store;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Runs work in one database transaction, for the transactional outbox: inside it, the caller's own
 * writes and {@link EventStore#publish(java.util.List, Connection)} commit together or not at all.
 *
 * <pre>{@code
 * Transactions.inTransaction(dataSource, connection -> {
 *     orders.markPaid(connection, orderId);
 *     store.publish(paidEvent, connection);
 *     return null;
 * });
 * }</pre>
 */
public final class Transactions {

    private Transactions() {
    }

    /** Work that uses a connection inside a transaction. */
    @FunctionalInterface
    public interface Work<T> {
        /** Runs with a connection whose transaction commits when this returns. */
        T run(Connection connection) throws Exception;
    }

    /**
     * Opens a connection, runs {@code work} with auto-commit off, commits when it returns and rolls
     * back when it throws (rethrowing its exception).
     */
    public static <T> T inTransaction(DataSource dataSource, Work<T> work) throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (Exception | Error e) {
                rollbackQuietly(connection, e);
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        }
    }

    private static void rollbackQuietly(Connection connection, Throwable cause) {
        try {
            connection.rollback();
        } catch (SQLException rollbackFailure) {
            cause.addSuppressed(rollbackFailure);
        }
    }
}
