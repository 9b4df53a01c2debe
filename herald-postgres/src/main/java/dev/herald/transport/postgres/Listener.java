package dev.herald.transport.postgres;

import dev.herald.transport.TopicSignals;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.function.IntSupplier;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds one connection for the transport's life, which does two things.
 * <ul>
 *   <li>It {@code LISTEN}s on the schema's channel and raises the local {@link TopicSignals} of the topic
 *       each notification names (skipping this transport's own notifications: its consumers were
 *       woken directly). Waiting consumers sleep on those signals instead of polling the database.</li>
 *   <li>It holds this transport's membership: a session advisory lock on its {@code members} id. The
 *       lock goes away with the session, so when the process dies its leases can be released at once
 *       by any other process ({@link DeliveryQueue#reap}) rather than after the ack deadline.</li>
 * </ul>
 * When the connection breaks it reconnects with a backoff, and wakes every local consumer after
 * each break and reconnection: notifications may have been missed meanwhile.
 */
final class Listener implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Listener.class);
    /** Only bounds how long a broken connection goes unnoticed; close wakes the thread with a nudge. */
    private static final int WAIT_MILLIS = 5_000;

    private final DataSource dataSource;
    private final String channel;
    private final TopicSignals<Integer> signals;
    private final int lockKey;
    private final int memberId;
    private final IntSupplier ownPid;
    private final Runnable nudge;
    private final Thread thread;
    private volatile Connection connection;
    private volatile boolean member;
    private volatile boolean closed;

    /**
     * @param ownPid the backend pid of this transport's notifier, whose notifications are skipped
     * @param nudge  sends a notification on the channel, to wake this thread when closing
     */
    Listener(DataSource dataSource, String channel, TopicSignals<Integer> signals, int lockKey, int memberId, IntSupplier ownPid,
             Runnable nudge) {
        this.dataSource = dataSource;
        this.channel = channel;
        this.signals = signals;
        this.lockKey = lockKey;
        this.memberId = memberId;
        this.ownPid = ownPid;
        this.nudge = nudge;
        this.thread = Thread.ofPlatform().daemon().name("herald-postgres-listener").unstarted(this::run);
    }

    /** Connects, listens and takes the membership lock before returning; then starts the thread. */
    void start() throws SQLException {
        connection = connect();
        thread.start();
    }

    /** Whether this transport currently holds its membership lock (its leases are safe from the reaper). */
    boolean isMember() {
        return member && !closed;
    }

    @Override
    public void close() {
        closed = true;
        nudge.run();
        try {
            if (!thread.join(Duration.ofSeconds(2))) {
                // The nudge did not arrive: closing the connection under the thread ends its wait.
                closeConnection();
                thread.join(Duration.ofSeconds(5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeConnection();
    }

    private void run() {
        long backoff = 100;
        while (!closed) {
            try {
                if (connection == null) {
                    connection = connect();
                    LOG.info("reconnected the listener of {}", channel);
                    signals.raiseAll();
                    backoff = 100;
                }
                PGNotification[] notifications = connection.unwrap(PGConnection.class).getNotifications(WAIT_MILLIS);
                if (notifications != null) {
                    dispatch(notifications);
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    return;
                }
                LOG.warn("the listener of {} lost its connection; consumers poll until it is back", channel, e);
                member = false;
                closeConnection();
                signals.raiseAll();
                sleep(backoff);
                backoff = Math.min(backoff * 2, 5_000);
            }
        }
    }

    private void dispatch(PGNotification[] notifications) {
        int own = ownPid.getAsInt();
        for (PGNotification notification : notifications) {
            if (notification.getPID() == own || Notifier.NUDGE.equals(notification.getParameter())) {
                continue;
            }
            try {
                signals.raise(Integer.parseInt(notification.getParameter()));
            } catch (NumberFormatException e) {
                LOG.debug("ignoring a notification that names no topic: {}", notification.getParameter());
            }
        }
    }

    private Connection connect() throws SQLException {
        Connection fresh = dataSource.getConnection();
        try (Statement statement = fresh.createStatement()) {
            fresh.setAutoCommit(true);
            statement.execute("LISTEN \"" + channel + '"');
            // Try, not wait: after a reconnection the old session may hold it a little longer. Not
            // being a member only risks redeliveries of this process's leases, never a loss.
            try (ResultSet rs = statement.executeQuery(
                    "SELECT pg_try_advisory_lock(" + lockKey + ", " + memberId + ")")) {
                rs.next();
                member = rs.getBoolean(1);
            }
            if (!member) {
                LOG.warn("member {} of {} could not take its membership lock; its leases may be released early",
                        memberId, channel);
            }
            return fresh;
        } catch (SQLException | RuntimeException e) {
            fresh.close();
            throw e;
        }
    }

    private void closeConnection() {
        Connection current = connection;
        connection = null;
        member = false;
        if (current != null) {
            try (current; Statement statement = current.createStatement()) {
                // The DataSource may be a pool: hand the connection back without our session state.
                statement.execute("UNLISTEN *");
                statement.execute("SELECT pg_advisory_unlock_all()");
            } catch (SQLException e) {
                LOG.debug("closing the listener's connection failed", e);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
