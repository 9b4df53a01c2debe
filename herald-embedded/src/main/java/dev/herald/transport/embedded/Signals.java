package dev.herald.transport.embedded;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes consumers that wait for work, one signal per topic. The writer raises a topic's signal after
 * a commit that may have made something deliverable on it (new events, a nack, a released lease, a
 * settled head of an ordered key, …); consumers of the topic then poll again. A consumer reads the
 * signal's version before it polls and waits only while the version is unchanged, so a commit that
 * lands between its poll and its wait is never missed.
 */
final class Signals {

    private final ConcurrentHashMap<Long, Signal> byTopic = new ConcurrentHashMap<>();

    Signal of(long topicId) {
        return byTopic.computeIfAbsent(topicId, id -> new Signal());
    }

    void raise(Collection<Long> topicIds) {
        for (Long topicId : topicIds) {
            Signal signal = byTopic.get(topicId);
            if (signal != null) {
                signal.raise();
            }
        }
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
