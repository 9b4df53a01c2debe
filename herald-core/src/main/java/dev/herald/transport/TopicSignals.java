package dev.herald.transport;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * For transport implementations: wakes the consumers of this process that wait for work, one signal
 * per topic, so that {@link Consumer#poll} sleeps instead of spinning. A transport raises a topic's
 * signal when something may have become deliverable on it (a commit that published, nacked or released
 * a lease; a notification from another process). A consumer reads the signal's version before it
 * polls and waits only while the version is unchanged, so a wake-up that lands between its poll and
 * its wait is never missed.
 *
 * @param <K> how the transport identifies a topic
 */
public final class TopicSignals<K> {

    private final ConcurrentHashMap<K, Signal> byTopic = new ConcurrentHashMap<>();

    /** The signal of a topic, created on first use. */
    public Signal of(K topic) {
        return byTopic.computeIfAbsent(topic, id -> new Signal());
    }

    /** Wakes the consumers waiting on a topic. */
    public void raise(K topic) {
        Signal signal = byTopic.get(topic);
        if (signal != null) {
            signal.raise();
        }
    }

    /** Wakes every waiting consumer: after wake-ups may have been lost. */
    public void raiseAll() {
        byTopic.values().forEach(Signal::raise);
    }

    /** A version counter with a condition to wait for it to change. */
    public static final class Signal {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private long version;

        /** The current version: read it before polling, then wait for it to change. */
        public long version() {
            lock.lock();
            try {
                return version;
            } finally {
                lock.unlock();
            }
        }

        /** Bumps the version and wakes every waiter. */
        public void raise() {
            lock.lock();
            try {
                version++;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** Waits until the version differs from {@code seen} or {@code nanos} passed. */
        public void await(long seen, long nanos) throws InterruptedException {
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
