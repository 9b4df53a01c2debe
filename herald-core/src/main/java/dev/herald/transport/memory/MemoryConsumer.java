package dev.herald.transport.memory;

import dev.herald.transport.Consumer;
import dev.herald.transport.Delivery;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A consumer of one subscription. Polls wait on the subscription's condition, waking when something
 * is published, settled or released, or when the next retry or delayed event falls due; they never
 * spin.
 */
final class MemoryConsumer implements Consumer {

    private final InMemoryTransport transport;
    private final InMemoryBroker broker;
    private final MemorySubscription subscription;
    /** Entries handed to this consumer and not settled yet; guarded by the broker's lock. */
    private final Set<Entry> owned = new LinkedHashSet<>();
    /** Guarded by the broker's lock. */
    private boolean closed;

    MemoryConsumer(InMemoryTransport transport, InMemoryBroker broker, MemorySubscription subscription) {
        this.transport = transport;
        this.broker = broker;
        this.subscription = subscription;
    }

    /** Guarded by the broker's lock. */
    Set<Entry> owned() {
        return owned;
    }

    Instant now() {
        return broker.now();
    }

    /**
     * {@inheritDoc}
     *
     * <p>When the consumer is closed by another thread while this poll waits, the poll returns an
     * empty list.
     *
     * @throws IllegalStateException also when the subscription was deleted
     */
    @Override
    public List<Delivery> poll(int max, Duration timeout) throws InterruptedException {
        if (max <= 0) {
            throw new IllegalArgumentException("max must be positive: " + max);
        }
        Objects.requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        broker.lock.lockInterruptibly();
        try {
            requireUsable();
            while (true) {
                Instant now = broker.now();
                List<MemoryDelivery> taken = subscription.take(this, max, now);
                if (!taken.isEmpty()) {
                    return List.copyOf(taken);
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return List.of();
                }
                subscription.changed.awaitNanos(Math.min(remaining, nanosUntil(subscription.nextDueAt(), now)));
                if (closed) {
                    return List.of();
                }
                requireUsable();
            }
        } finally {
            broker.lock.unlock();
        }
    }

    /** Time to sleep until {@code dueAt}; at least 1 ns so an overdue instant does not spin forever. */
    private static long nanosUntil(Instant dueAt, Instant now) {
        if (dueAt == null) {
            return Long.MAX_VALUE;
        }
        Duration wait = Duration.between(now, dueAt);
        return wait.isNegative() || wait.isZero() ? 1 : saturatedNanos(wait);
    }

    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
    }

    private void requireUsable() {
        if (closed) {
            throw new IllegalStateException("consumer of " + subscription.name() + " is closed");
        }
        if (subscription.deleted()) {
            throw new IllegalStateException("subscription " + subscription.name() + " was deleted");
        }
    }

    /** Runs {@code action} under the lock if {@code delivery} still holds its entry; else nothing. */
    void settle(MemoryDelivery delivery, Runnable action) {
        broker.lock.lock();
        try {
            if (!closed && subscription.holds(delivery)) {
                action.run();
            }
        } finally {
            broker.lock.unlock();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Unsettled deliveries become due at once; as they were handed out, their next delivery
     * counts as a further attempt (so an event that kills every consumer still reaches the
     * dead-letter limit).
     */
    @Override
    public void close() {
        broker.lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            Instant now = broker.now();
            for (Entry entry : owned) {
                subscription.release(entry, now);
            }
            owned.clear();
            // Wakes this consumer's own poll if another thread is waiting in it.
            subscription.changed.signalAll();
            transport.forget(this);
        } finally {
            broker.lock.unlock();
        }
    }
}
