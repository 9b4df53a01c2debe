package dev.herald.transport.embedded;

import dev.herald.transport.TopicSignals;
import dev.herald.transport.TransportException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: the one thread that writes the store.
 *
 * <p>An fsync costs about as much as a few thousand row inserts, so one fsync per publish would cap
 * the store at the disk's fsync rate (≈ 5,000/s on the reference machine) whatever the number of
 * publishers. Instead every write (publish, poll, ack, nack, admin) is a task on a queue; the writer
 * thread takes whatever is queued (at most {@link EmbeddedOptions#commitBatchSize()}), runs it in
 * one transaction, commits once (one fsync), and only then completes the callers' futures. While
 * one commit syncs, the next batch queues up, so the batch size grows with the load by itself.
 *
 * <p>Each task runs under its own {@code SAVEPOINT}: a task that throws rolls back only its own
 * changes and fails only its own caller; the rest of the transaction commits. Work that only
 * fails when the store does ({@link #callWithoutSavepoint}) runs without one, and its failure fails
 * the whole transaction. A failing {@code COMMIT} fails every task of the transaction.
 *
 * <p>Durability is chosen per task. {@link Sync#FULL} tasks (publishes, admin changes) commit with
 * {@code synchronous=FULL}, which fsyncs the WAL; {@link Sync#NORMAL} tasks (polls, acks, nacks)
 * commit with {@code synchronous=NORMAL}, which survives a process crash but may lose the last
 * commits on power loss, where they only cause redeliveries. A batch holding both commits the
 * NORMAL tasks first, in their own transaction. Because the WAL is one sequential file, a FULL
 * commit makes every earlier commit durable too.
 */
final class SqliteWriter implements AutoCloseable {

    /** How durable the commit of a task must be. */
    enum Sync {
        /** Survives power loss: the commit fsyncs the WAL. */
        FULL,
        /** Survives a process crash; on power loss the change may be lost. */
        NORMAL
    }

    /** A piece of work run inside the writer's transaction. */
    @FunctionalInterface
    interface Work<T> {
        T run(Tx tx) throws SQLException;
    }

    /** What a task sees: cached statements on the write connection, and what to do after commit. */
    static final class Tx {
        private final Map<String, PreparedStatement> statements;
        private final Connection connection;
        private final Set<Long> wakes = new HashSet<>();
        private final List<Runnable> afterCommit = new ArrayList<>(0);

        private Tx(Connection connection, Map<String, PreparedStatement> statements) {
            this.connection = connection;
            this.statements = statements;
        }

        /** A prepared statement for {@code sql}, prepared once per store and reused. */
        PreparedStatement prepare(String sql) throws SQLException {
            PreparedStatement statement = statements.get(sql);
            if (statement == null) {
                statement = connection.prepareStatement(sql);
                statements.put(sql, statement);
            } else {
                // A task that failed half-way may have left a batch behind.
                statement.clearBatch();
            }
            return statement;
        }

        /** The write connection, for statements used too rarely to cache. */
        Connection connection() {
            return connection;
        }

        /** Wake the consumers of a topic once this task's changes are committed. */
        void wake(long topicId) {
            wakes.add(topicId);
        }

        /** Runs {@code action} on the writer thread once this task's changes are committed; never if they are not. */
        void afterCommit(Runnable action) {
            afterCommit.add(action);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(SqliteWriter.class);

    private final Connection connection;
    private final TopicSignals<Long> signals;
    private final int batchSize;
    private final long lingerNanos;
    private final BlockingQueue<Task<?>> queue = new LinkedBlockingQueue<>();
    private final Map<String, PreparedStatement> statements = new HashMap<>();
    private final Task<Void> stop = new Task<>(Sync.NORMAL, tx -> null, false);
    /** Submitters hold the read lock, {@link #close()} the write lock: nothing is queued behind the stop task. */
    private final ReadWriteLock submission = new ReentrantReadWriteLock();
    private final AtomicLong commits = new AtomicLong();
    private final Thread thread;
    private final Statement control;
    private boolean closed;
    private Sync currentSync = Sync.FULL;

    SqliteWriter(Connection connection, TopicSignals<Long> signals, EmbeddedOptions options) throws SQLException {
        this.connection = connection;
        this.signals = signals;
        this.batchSize = options.commitBatchSize();
        this.lingerNanos = Sqlite.delayNanos(options.commitLinger());
        this.control = connection.createStatement();
        this.thread = new Thread(this::run, "herald-embedded-writer");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Runs {@code work} in the next batch and returns its result once the batch is committed.
     *
     * @throws TransportException       when the store failed (the work's changes are not committed)
     * @throws IllegalStateException    when the writer is closed
     * @throws RuntimeException         whatever {@code work} threw (its changes are rolled back)
     */
    <T> T call(Sync sync, Work<T> work) {
        return submit(new Task<>(sync, work, true));
    }

    /**
     * As {@link #call}, for work whose failure means the store itself failed (an insert into the
     * log, a one-row acknowledgement): it runs without a savepoint of its own, which saves two
     * statements per task — as much as the work itself for an acknowledgement. The price: when it
     * throws nonetheless, the whole transaction is rolled back and every task in it fails, so no
     * half of it is ever committed.
     */
    <T> T callWithoutSavepoint(Sync sync, Work<T> work) {
        return submit(new Task<>(sync, work, false));
    }

    private <T> T submit(Task<T> task) {
        submission.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("the embedded store is closed");
            }
            queue.add(task);
        } finally {
            submission.readLock().unlock();
        }
        try {
            return task.future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /** How many transactions were committed so far. */
    long commits() {
        return commits.get();
    }

    /** Commits what is queued, then stops the thread and closes the write connection. */
    @Override
    public void close() {
        submission.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            queue.add(stop);
        } finally {
            submission.writeLock().unlock();
        }
        stop.future.join();
        try {
            thread.join();
            for (PreparedStatement statement : statements.values()) {
                statement.close();
            }
            control.close();
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SQLException e) {
            LOG.warn("closing the write connection failed", e);
        }
    }

    private void run() {
        List<Task<?>> batch = new ArrayList<>(batchSize);
        boolean stopping = false;
        while (!stopping) {
            try {
                batch.add(queue.take());
                queue.drainTo(batch, batchSize - batch.size());
                linger(batch);
                stopping = batch.remove(stop);
                if (!batch.isEmpty()) {
                    commit(batch);
                }
            } catch (InterruptedException e) {
                // Nobody interrupts the writer but close(), which stops it through the queue.
                Thread.currentThread().interrupt();
                stopping = true;
            } catch (Throwable t) {
                LOG.error("the writer failed a batch of {} tasks", batch.size(), t);
                batch.forEach(task -> {
                    task.failIfPending(t);
                    task.finish();
                });
            } finally {
                batch.clear();
            }
        }
        stop.finish();
    }

    private void linger(List<Task<?>> batch) throws InterruptedException {
        if (lingerNanos == 0) {
            return;
        }
        long deadline = System.nanoTime() + lingerNanos;
        while (batch.size() < batchSize && !batch.contains(stop)) {
            long remaining = deadline - System.nanoTime();
            Task<?> next = remaining > 0 ? queue.poll(remaining, TimeUnit.NANOSECONDS) : null;
            if (next == null) {
                return;
            }
            batch.add(next);
            queue.drainTo(batch, batchSize - batch.size());
        }
    }

    /**
     * Commits a batch as up to two transactions: first the tasks that need no fsync, so that polls
     * and acks do not wait for the publishes' fsync, then the durable ones. Tasks running
     * concurrently have no order among themselves, so the reordering is invisible to callers.
     */
    private void commit(List<Task<?>> batch) {
        List<Task<?>> normal = new ArrayList<>();
        List<Task<?>> full = new ArrayList<>();
        for (Task<?> task : batch) {
            (task.sync == Sync.FULL ? full : normal).add(task);
        }
        if (!normal.isEmpty()) {
            transaction(normal, Sync.NORMAL);
        }
        if (!full.isEmpty()) {
            transaction(full, Sync.FULL);
        }
    }

    private void transaction(List<Task<?>> tasks, Sync sync) {
        Set<Long> wakes = new HashSet<>();
        List<Runnable> afterCommit = new ArrayList<>();
        try {
            useSync(sync);
            control.execute("BEGIN IMMEDIATE");
            for (Task<?> task : tasks) {
                if (task.isolated) {
                    runInSavepoint(task, wakes, afterCommit);
                } else if (!run(task, wakes, afterCommit)) {
                    throw new SQLException("a write failed without a savepoint of its own: the transaction is"
                            + " rolled back", task.failure);
                }
            }
            control.execute("COMMIT");
            commits.incrementAndGet();
        } catch (SQLException | RuntimeException e) {
            rollback();
            wakes.clear();
            afterCommit.clear();
            TransportException failure = new TransportException("the embedded store could not commit", e);
            tasks.forEach(task -> task.failIfPending(failure));
        }
        afterCommit.forEach(Runnable::run);
        wakes.forEach(signals::raise);
        tasks.forEach(Task::finish);
    }

    private void runInSavepoint(Task<?> task, Set<Long> wakes, List<Runnable> afterCommit) throws SQLException {
        control.execute("SAVEPOINT task");
        if (!run(task, wakes, afterCommit)) {
            control.execute("ROLLBACK TO task");
        }
        control.execute("RELEASE task");
    }

    /** Runs a task's work; a failure fails the task only. Returns whether it succeeded. */
    private boolean run(Task<?> task, Set<Long> wakes, List<Runnable> afterCommit) {
        Tx tx = new Tx(connection, statements);
        try {
            task.runIn(tx);
        } catch (SQLException e) {
            task.fail(new TransportException(e.getMessage(), e));
        } catch (RuntimeException e) {
            task.fail(e);
        }
        if (task.failed()) {
            return false;
        }
        wakes.addAll(tx.wakes);
        afterCommit.addAll(tx.afterCommit);
        return true;
    }

    private void useSync(Sync sync) throws SQLException {
        if (sync != currentSync) {
            control.execute("PRAGMA synchronous = " + sync.name());
            currentSync = sync;
        }
    }

    private void rollback() {
        try {
            control.execute("ROLLBACK");
        } catch (SQLException e) {
            // SQLite already rolled back by itself (it does on disk full and I/O errors).
            LOG.debug("nothing to roll back", e);
        }
    }

    /** One submitted piece of work and its outcome, filled in by the writer thread. */
    private static final class Task<T> {
        final Sync sync;
        final Work<T> work;
        /** Whether the work runs under a savepoint of its own, so that its failure undoes all of it. */
        final boolean isolated;
        final CompletableFuture<T> future = new CompletableFuture<>();
        private T value;
        private Throwable failure;

        Task(Sync sync, Work<T> work, boolean isolated) {
            this.sync = sync;
            this.work = work;
            this.isolated = isolated;
        }

        void runIn(Tx tx) throws SQLException {
            value = work.run(tx);
        }

        boolean failed() {
            return failure != null;
        }

        void fail(Throwable cause) {
            failure = cause;
        }

        void failIfPending(Throwable cause) {
            if (failure == null) {
                failure = cause;
            }
        }

        void finish() {
            if (failure != null) {
                future.completeExceptionally(failure);
            } else {
                future.complete(value);
            }
        }
    }
}
