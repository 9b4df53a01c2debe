package dev.herald.transport.postgres;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Combines concurrent calls into one database round trip and commit: each caller {@link #submit}s its
 * item and blocks; a caller whose item is still queued, when fewer than {@code maxFlushers} batches
 * are in flight, takes the queued items (its own among them, at most {@code maxBatch}) and runs them
 * as one {@link Flush}, on its own thread, then hands every caller of the batch its result. Nobody
 * waits for a timer: a lone caller flushes at once, and callers arriving while a batch is in flight
 * queue up and go together in the next one. So the batch grows with the load, and each call still
 * returns only after the batch holding it committed.
 *
 * <p>A failing flush fails every call of its batch with the same exception.
 *
 * @param <I> what a caller submits
 * @param <R> what it gets back
 */
final class GroupCommit<I, R> {

    /** Runs a batch in one transaction and returns one result per item, in the items' order. */
    @FunctionalInterface
    interface Flush<I, R> {
        List<R> run(List<I> items);
    }

    private static final class Pending<I, R> {
        final I item;
        boolean taken;
        boolean done;
        R result;
        RuntimeException failure;

        Pending(I item) {
            this.item = item;
        }
    }

    private final Flush<I, R> flush;
    private final int maxBatch;
    private final int maxFlushers;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition settled = lock.newCondition();
    /** Items not yet taken by a flusher, oldest first; guarded by {@link #lock}. */
    private final List<Pending<I, R>> queue = new ArrayList<>();
    /** Batches in flight; guarded by {@link #lock}. */
    private int flushing;

    GroupCommit(int maxBatch, int maxFlushers, Flush<I, R> flush) {
        if (maxBatch <= 0 || maxFlushers <= 0) {
            throw new IllegalArgumentException("maxBatch and maxFlushers must be positive");
        }
        this.flush = flush;
        this.maxBatch = maxBatch;
        this.maxFlushers = maxFlushers;
    }

    /**
     * Runs {@code item} in a batch and returns its result once the batch committed.
     *
     * @throws RuntimeException what the batch's flush threw
     */
    R submit(I item) {
        Pending<I, R> pending = new Pending<>(item);
        lock.lock();
        try {
            queue.add(pending);
            while (!pending.done) {
                if (!pending.taken && flushing < maxFlushers) {
                    flushBatch();
                } else {
                    settled.awaitUninterruptibly();
                }
            }
        } finally {
            lock.unlock();
        }
        if (pending.failure != null) {
            throw pending.failure;
        }
        return pending.result;
    }

    /** Takes the oldest queued items and flushes them, the lock released meanwhile. Lock held. */
    private void flushBatch() {
        List<Pending<I, R>> head = queue.subList(0, Math.min(maxBatch, queue.size()));
        List<Pending<I, R>> batch = new ArrayList<>(head);
        head.clear();
        List<I> items = new ArrayList<>(batch.size());
        for (Pending<I, R> taken : batch) {
            taken.taken = true;
            items.add(taken.item);
        }
        flushing++;
        List<R> results = null;
        RuntimeException failure = null;
        lock.unlock();
        try {
            results = flush.run(items);
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            lock.lock();
            flushing--;
            for (int i = 0; i < batch.size(); i++) {
                Pending<I, R> done = batch.get(i);
                if (failure == null && results != null) {
                    done.result = results.get(i);
                } else {
                    done.failure = failure != null ? failure : new IllegalStateException("the batch failed");
                }
                done.done = true;
            }
            settled.signalAll();
        }
    }
}
