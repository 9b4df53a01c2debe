package dev.herald.transport.embedded;

import dev.herald.transport.Consumer;
import dev.herald.transport.Delivery;
import dev.herald.transport.LeasedDelivery;
import dev.herald.transport.TopicSignals;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One consumer of a subscription. Polling leases deliveries through the writer (leasing writes);
 * when nothing is visible the consumer sleeps on its topic's {@link TopicTopicSignals.Signal} until a commit
 * may have made something deliverable, or until the next delivery's visibility time, never longer
 * than the poll's timeout. Settling goes through the writer too and returns once committed.
 */
final class EmbeddedConsumer implements Consumer, LeasedDelivery.Settler {

    private final long id;
    private final SubscriptionStore.Stored subscription;
    private final SqliteWriter writer;
    private final DeliveryQueue queue;
    private final TopicSignals.Signal signal;
    private final java.util.function.Consumer<EmbeddedConsumer> onClose;
    /** Makes "close returned" and "poll returns deliveries" exclusive. */
    private final ReentrantLock closing = new ReentrantLock();
    /** Read by lease tasks on the writer thread, so a poll racing close() leases nothing after it. */
    private volatile boolean closed;

    EmbeddedConsumer(long id, SubscriptionStore.Stored subscription, SqliteWriter writer, DeliveryQueue queue,
                     TopicSignals<Long> signals, java.util.function.Consumer<EmbeddedConsumer> onClose) {
        this.id = id;
        this.subscription = subscription;
        this.writer = writer;
        this.queue = queue;
        this.signal = signals.of(subscription.topicId());
        this.onClose = onClose;
    }

    @Override
    public List<Delivery> poll(int max, Duration timeout) throws InterruptedException {
        if (max <= 0) {
            throw new IllegalArgumentException("max must be positive: " + max);
        }
        Objects.requireNonNull(timeout, "timeout");
        if (closed) {
            throw new IllegalStateException("consumer of " + subscription.spec().name() + " is closed");
        }
        long deadline = System.nanoTime() + Math.max(0, Sqlite.delayNanos(timeout));
        while (!closed) {
            long seen = signal.version();
            DeliveryQueue.Lease lease = lease(max);
            List<Delivery> deliveries = toDeliveries(lease);
            closing.lock();
            try {
                // close() released these leases (its release task ran after this lease task).
                if (closed) {
                    return List.of();
                }
                if (!deliveries.isEmpty()) {
                    return deliveries;
                }
            } finally {
                closing.unlock();
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return List.of();
            }
            signal.await(seen, Math.min(remaining, untilVisible(lease.nextVisibleAt())));
        }
        return List.of();
    }

    @Override
    public void close() {
        closing.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            closing.unlock();
        }
        signal.raise();
        try {
            writer.call(SqliteWriter.Sync.NORMAL, tx -> {
                if (queue.release(tx, subscription.id(), id) > 0) {
                    tx.wake(subscription.topicId());
                }
                return null;
            });
        } catch (IllegalStateException storeClosed) {
            // The store closed first; opening it again releases every lease.
        }
        onClose.accept(this);
    }

    private DeliveryQueue.Lease lease(int max) {
        try {
            return writer.call(SqliteWriter.Sync.NORMAL,
                    tx -> closed ? DeliveryQueue.Lease.NONE : queue.lease(tx, subscription.id(), id, max));
        } catch (IllegalStateException e) {
            if (closed) {
                // The transport is closing: it closed this consumer before its writer.
                return DeliveryQueue.Lease.NONE;
            }
            throw e;
        }
    }

    @Override
    public void ack(LeasedDelivery delivery) {
        settle(tx -> queue.ack(tx, subscription.id(), delivery.position(), id, delivery.attempt()));
    }

    @Override
    public void nack(LeasedDelivery delivery, Duration delay) {
        long delayNanos = Sqlite.delayNanos(delay);
        settle(tx -> queue.nack(tx, subscription.id(), delivery.position(), id, delivery.attempt(), delayNanos));
    }

    @Override
    public void deadLetter(LeasedDelivery delivery, String error) {
        settle(tx -> queue.deadLetter(tx, subscription.id(), delivery.position(), id, delivery.attempt(), error));
    }

    /**
     * Settles a lease and wakes the topic's consumers: settling may release the next event of an
     * ordered key, make room in the subscription's buffer, or schedule a retry. Once this consumer
     * is closed its leases were released, and settling does nothing.
     */
    private void settle(SqliteWriter.Work<Boolean> settlement) {
        if (closed) {
            return;
        }
        try {
            writer.call(SqliteWriter.Sync.NORMAL, tx -> {
                boolean settled = settlement.run(tx);
                if (settled) {
                    tx.wake(subscription.topicId());
                }
                return settled;
            });
        } catch (IllegalStateException e) {
            if (!closed) {
                throw e;
            }
        }
    }

    private List<Delivery> toDeliveries(DeliveryQueue.Lease lease) {
        List<Delivery> deliveries = new ArrayList<>(lease.deliveries().size());
        for (DeliveryQueue.Leased leased : lease.deliveries()) {
            deliveries.add(new LeasedDelivery(this, leased.seq(), EventLog.read(leased.event()),
                    subscription.spec().name(), leased.attempt(), Sqlite.toInstant(leased.publishedAt())));
        }
        return deliveries;
    }

    private static long untilVisible(long visibleAt) {
        return visibleAt == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, visibleAt - Sqlite.nowNanos());
    }

    @Override
    public String toString() {
        return "EmbeddedConsumer[" + subscription.spec().name() + " #" + id + (closed ? ", closed]" : "]");
    }
}
