package dev.herald.transport.embedded;

import dev.herald.transport.TransportException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A few read connections for work that only reads (subscription lookups, stats, dead-letter
 * listings). In WAL mode they read the last committed state without waiting for the writer, so
 * this work stays off the writer's queue.
 */
final class Readers implements AutoCloseable {

    /** Work on a read connection. */
    @FunctionalInterface
    interface Read<T> {
        T run(Connection connection) throws SQLException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(Readers.class);

    private final List<Connection> all = new ArrayList<>();
    private final ConcurrentLinkedQueue<Connection> idle = new ConcurrentLinkedQueue<>();
    private final Semaphore available;
    /** Written while holding every permit, read after taking one: the semaphore orders the two. */
    private boolean closed;

    Readers(Path file, EmbeddedOptions options, int size) throws SQLException {
        try {
            for (int i = 0; i < size; i++) {
                all.add(Sqlite.openReader(file, options));
            }
        } catch (SQLException e) {
            closeAll();
            throw e;
        }
        idle.addAll(all);
        available = new Semaphore(size);
    }

    <T> T read(Read<T> work) {
        available.acquireUninterruptibly();
        if (closed) {
            available.release();
            throw new IllegalStateException("the embedded store is closed");
        }
        Connection connection = idle.remove();
        try {
            return work.run(connection);
        } catch (SQLException e) {
            throw new TransportException("reading the embedded store failed: " + e.getMessage(), e);
        } finally {
            idle.add(connection);
            available.release();
        }
    }

    /** Waits for reads in progress, then closes every connection; later reads fail. */
    @Override
    public void close() {
        available.acquireUninterruptibly(all.size());
        closed = true;
        closeAll();
        // Let reads that were waiting for a connection see the flag and fail.
        available.release(all.size());
    }

    private void closeAll() {
        for (Connection connection : all) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.warn("closing a read connection failed", e);
            }
        }
    }
}
