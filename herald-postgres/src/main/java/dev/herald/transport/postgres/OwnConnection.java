package dev.herald.transport.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pooled connection one background thread keeps for itself, in auto-commit: opened on first use, dropped
 * after a failure so that the next use opens a fresh one. Not thread-safe: only its owner's thread uses it.
 */
final class OwnConnection {

    private static final Logger LOG = LoggerFactory.getLogger(OwnConnection.class);

    private final DataSource dataSource;
    private final String owner;
    private Connection connection;

    /** @param owner who keeps it, for the log line when closing it fails */
    OwnConnection(DataSource dataSource, String owner) {
        this.dataSource = dataSource;
        this.owner = owner;
    }

    /** The connection, opened now if there is none. */
    Connection get() throws SQLException {
        if (connection == null) {
            Connection fresh = dataSource.getConnection();
            try {
                fresh.setAutoCommit(true);
            } catch (SQLException | RuntimeException e) {
                fresh.close();
                throw e;
            }
            connection = fresh;
        }
        return connection;
    }

    /** Closes the connection, if open; the next {@link #get()} opens another. */
    void drop() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("closing the {}'s connection failed", owner, e);
            }
            connection = null;
        }
    }
}
