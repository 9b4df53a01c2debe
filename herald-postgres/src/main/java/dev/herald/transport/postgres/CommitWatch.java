package dev.herald.transport.postgres;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns when outbox transactions commit, on a connection of its own, so that their topics' consumers
 * are woken right then: an outbox publish ends in the caller's commit, which Herald does not see.
 *
 * <p>Without a poll interval on the way: the publishing statement also takes a transaction-scoped
 * advisory lock named after its transaction id ({@link #lockSql}), which PostgreSQL releases exactly
 * when that transaction ends. This thread waits for the lock of the oldest watched transaction (a
 * shared request: it conflicts with nobody else) and, in the same statement, once it got it, asks
 * {@code pg_xact_status} about every watched transaction: so each wake-up also finds the younger ones
 * that committed meanwhile, and a rollback is told from a commit.
 *
 * <p>A transaction that stays open longer than {@link #LOCK_WAIT} (its caller does more work after
 * publishing) is not waited on again, so that it does not hold back the others' wake-ups: it is
 * polled instead, every {@link PostgresOptions#commitWatchInterval()} at first and backing off with
 * its age to {@link #MAX_POLL_INTERVAL}. So is a transaction whose lock is gone while it is still in
 * progress (a savepoint rolled back to releases it).
 *
 * <p>Why not {@code NOTIFY} inside the publishing transaction, which PostgreSQL would deliver only at
 * its commit: see {@link Notifier}. A lost wake-up (this process dies, the connection breaks) only
 * delays consumers until their fallback poll; it never loses an event.
 */
final class CommitWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommitWatch.class);
    /** The longest wait for one transaction's end before the others are checked again. */
    static final Duration LOCK_WAIT = Duration.ofMillis(50);
    private static final Duration MAX_POLL_INTERVAL = Duration.ofMillis(200);
    /** SQLSTATE lock_not_available: the lock wait timed out. */
    private static final String LOCK_NOT_AVAILABLE = "55P03";
    /** The advisory lock's second key: the transaction id's low 31 bits. */
    private static final long LOW_BITS = 0x7fffffffL;

    private final int lockKey;
    private final long pollIntervalNanos;
    private final Consumer<Integer> committed;
    private final Thread thread;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    /** Transactions not known to have ended, by xid; guarded by {@link #lock}. */
    private final Map<Long, Watched> watched = new HashMap<>();
    /** When transactions no longer waited on are polled next ({@link System#nanoTime()}); guarded. */
    private long nextPoll;
    private boolean closed;
    /** Used by the thread only (and by close, once the thread ended). */
    private final OwnConnection connection;
    /** Failures in a row; used by the thread only. */
    private int failures;

    /** A watched transaction: its topics, when it was first watched, and whether its lock was waited for. */
    private static final class Watched {
        final Set<Integer> topics = new HashSet<>();
        final long since = System.nanoTime();
        boolean waitedFor;
    }

    /**
     * @param lockKey      the first key of the outbox transactions' advisory locks (see {@link #lockSql})
     * @param pollInterval how often transactions no longer waited on are polled at first
     * @param committed    called with each topic of a transaction that committed
     */
    CommitWatch(DataSource dataSource, int lockKey, Duration pollInterval, Consumer<Integer> committed) {
        this.connection = new OwnConnection(dataSource, "commit watch");
        this.lockKey = lockKey;
        this.pollIntervalNanos = pollInterval.toNanos();
        this.committed = committed;
        this.thread = Thread.ofPlatform().daemon().name("herald-postgres-commit-watch").unstarted(this::run);
    }

    /**
     * The SQL expression a publishing statement evaluates to take its transaction's lock, given an
     * {@code xid8} expression of its transaction id: {@code pg_advisory_xact_lock(lockKey, low bits)}.
     */
    static String lockSql(int lockKey, String xid) {
        return "pg_advisory_xact_lock(" + lockKey + ", (" + xid + "::text::bigint & " + LOW_BITS + ")::int)";
    }

    /** Connects and starts watching. */
    void start() throws SQLException {
        connection.get();
        thread.start();
    }

    /** An outbox transaction (which took its lock) wrote to a topic: once it commits, {@code committed} is told. */
    void watch(long xid, int topicId) {
        lock.lock();
        try {
            watched.computeIfAbsent(xid, x -> new Watched()).topics.add(topicId);
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the thread, within {@link #LOCK_WAIT} when it is waiting for a lock; transactions still
     * watched are forgotten (their consumers fall back to polling).
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            work.signal();
        } finally {
            lock.unlock();
        }
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        disconnect();
    }

    private void run() {
        while (true) {
            Long target;
            List<Long> xids;
            lock.lock();
            try {
                target = awaitWork();
                if (closed) {
                    return;
                }
                xids = List.copyOf(watched.keySet());
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            try {
                forgetEnded(statuses(target, xids), target);
                failures = 0;
            } catch (SQLException e) {
                if (target != null && LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                    stopWaitingFor(target);
                    continue;
                }
                failed(e);
            } catch (RuntimeException e) {
                failed(e);
            }
        }
    }

    /**
     * The database failed this thread: wakes the topics of every watched transaction and forgets them (a
     * wake-up in vain costs a poll; one missed, a fallback poll interval), reconnects on the next
     * watch, and pauses, longer after each failure in a row, so that an unreachable database is not
     * asked (and logged) a few times a second.
     */
    private void failed(Exception e) {
        if (isClosed()) {
            return;
        }
        failures++;
        LOG.warn("watching outbox commits failed; their consumers fall back to polling", e);
        disconnect();
        Set<Integer> topics = new HashSet<>();
        lock.lock();
        try {
            watched.values().forEach(forgotten -> topics.addAll(forgotten.topics));
            watched.clear();
        } finally {
            lock.unlock();
        }
        topics.forEach(committed);
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.min(100L << Math.min(failures - 1, 6), 5_000));
        lock.lock();
        try {
            // Not cut short by new watches, only by close.
            for (long wait = until - System.nanoTime(); !closed && wait > 0; wait = until - System.nanoTime()) {
                work.awaitNanos(wait);
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until there is a transaction to wait for (returns the oldest), or it is time to poll those
     * no longer waited for (returns null). Lock held.
     */
    private Long awaitWork() throws InterruptedException {
        while (!closed) {
            Long oldest = watched.entrySet().stream().filter(entry -> !entry.getValue().waitedFor)
                    .map(Map.Entry::getKey).min(Long::compareUnsigned).orElse(null);
            if (oldest != null) {
                return oldest;
            }
            if (watched.isEmpty()) {
                work.await();
                continue;
            }
            long wait = nextPoll - System.nanoTime();
            if (wait <= 0) {
                nextPoll = System.nanoTime() + pollInterval();
                return null;
            }
            work.awaitNanos(wait);
        }
        return null;
    }

    /**
     * How long to wait before polling again: the configured interval while the youngest polled
     * transaction is fresh, longer for those that stay open (a tenth of its age, at most 200 ms), so
     * that a caller holding a transaction open does not cost a query per millisecond. Lock held.
     */
    private long pollInterval() {
        long youngest = watched.values().stream().mapToLong(w -> w.since).max().orElse(System.nanoTime());
        long age = System.nanoTime() - youngest;
        return Math.max(pollIntervalNanos, Math.min(age / 10, MAX_POLL_INTERVAL.toNanos()));
    }

    /**
     * The status of each transaction of {@code xids}: after waiting (at most {@link #LOCK_WAIT}) for
     * {@code target}'s lock when it is not null, else at once. One statement: the settings and the
     * shared lock are local to its own transaction, which ends with it.
     */
    private Map<Long, String> statuses(Long target, List<Long> xids) throws SQLException {
        Connection open = this.connection.get();
        Array array = open.createArrayOf("text", xids.stream().map(Long::toUnsignedString).toArray(String[]::new));
        String sql = target == null
                ? "SELECT x, pg_xact_status(x::xid8) FROM unnest(?::text[]) AS x"
                : "WITH timeout AS MATERIALIZED (SELECT set_config('lock_timeout', '" + LOCK_WAIT.toMillis() + "ms',"
                        + " true)), waited AS MATERIALIZED (SELECT pg_advisory_xact_lock_shared(" + lockKey + ", ?) FROM timeout)"
                        + " SELECT x, pg_xact_status(x::xid8) FROM waited, unnest(?::text[]) AS x";
        try (PreparedStatement select = open.prepareStatement(sql)) {
            int index = 1;
            if (target != null) {
                select.setInt(index++, (int) (target & LOW_BITS));
            }
            select.setArray(index, array);
            Map<Long, String> statuses = new HashMap<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    statuses.put(Long.parseUnsignedLong(rs.getString(1)), rs.getString(2));
                }
            }
            return statuses;
        } finally {
            array.free();
        }
    }

    /**
     * Forgets the transactions that ended and tells the topics of those that committed. A waited-for
     * target still in progress had released its lock early: it is polled from now on.
     */
    private void forgetEnded(Map<Long, String> statuses, Long target) {
        Set<Integer> topics = new HashSet<>();
        lock.lock();
        try {
            statuses.forEach((xid, status) -> {
                if (!"in progress".equals(status)) {
                    Watched ended = watched.remove(xid);
                    // NULL: too old to know; waking in vain costs a poll, not waking could cost a wait.
                    if (ended != null && !"aborted".equals(status)) {
                        topics.addAll(ended.topics);
                    }
                }
            });
            if (target != null && watched.containsKey(target)) {
                watched.get(target).waitedFor = true;
            }
        } finally {
            lock.unlock();
        }
        topics.forEach(committed);
    }

    /** The lock wait for {@code xid} timed out: poll it instead, starting now. */
    private void stopWaitingFor(long xid) {
        lock.lock();
        try {
            Watched open = watched.get(xid);
            if (open != null) {
                open.waitedFor = true;
            }
            nextPoll = System.nanoTime();
        } finally {
            lock.unlock();
        }
    }

    private boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    private void disconnect() {
        connection.drop();
    }
}
