package dev.herald.transport.postgres;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes this process's consumers that wait for work, one signal per topic. Raised when something may
 * have become deliverable on a topic: a commit here (publish, nack, released lease, …) or a
 * notification from another process ({@link Listener}). A consumer reads the signal's version before
 * it polls and waits only while the version is unchanged, so a wake-up that lands between its poll
 * and its wait is never missed.
 */
final class Signals {

    private final ConcurrentHashMap<Integer, Signal> byTopic = new ConcurrentHashMap<>();

    Signal of(int topicId) {
        return byTopic.computeIfAbsent(topicId, id -> new Signal());
    }

    void raise(int topicId) {
        Signal signal = byTopic.get(topicId);
        if (signal != null) {
            signal.raise();
        }
    }

    /** Wakes every consumer: after notifications may have been lost. */
    void raiseAll() {
        byTopic.values().forEach(Signal::raise);
    }

    /** A version counter with a condition to wait for it to change. */
    static final class Signal {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private long version;

        long version() {
            lock.lock();
            try {
                return version;
            } finally {
                lock.unlock();
            }
        }

        void raise() {
            lock.lock();
            try {
                version++;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** Waits until the version differs from {@code seen} or {@code nanos} passed. */
        void await(long seen, long nanos) throws InterruptedException {
            long remaining = nanos;
            lock.lock();
            try {
                while (version == seen && remaining > 0) {
                    remaining = changed.awaitNanos(remaining);
                }
            } finally {
                lock.unlock();
            }
        }
    }
}
