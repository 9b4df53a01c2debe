package dev.herald.transport.embedded;

import dev.herald.transport.Delivery;
import dev.herald.transport.TopicSignals;
import dev.herald.transport.spi.LeasedDelivery;
import dev.herald.transport.spi.PollingConsumer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One consumer of a subscription, on the transport kit's poll loop ({@link PollingConsumer}). Polling leases
 * deliveries through the writer (leasing writes); after an empty lease the loop sleeps until a commit may have
 * made something deliverable or until the next delivery's visibility time. Settling goes through the writer
 * too and returns once committed. The writer runs one task at a time, so close's release task runs after any
 * lease task already queued and releases what it leased.
 */
final class EmbeddedConsumer extends PollingConsumer<DeliveryQueue.Lease> implements LeasedDelivery.Settler {

    private final long id;
    private final SubscriptionStore.Stored subscription;
    private final SqliteWriter writer;
    private final DeliveryQueue queue;
    private final java.util.function.Consumer<EmbeddedConsumer> onClose;

    EmbeddedConsumer(long id, SubscriptionStore.Stored subscription, SqliteWriter writer, DeliveryQueue queue,
                     TopicSignals<Long> signals, java.util.function.Consumer<EmbeddedConsumer> onClose) {
        super(subscription.spec().name(), signals.of(subscription.topicId()));
        this.id = id;
        this.subscription = subscription;
        this.writer = writer;
        this.queue = queue;
        this.onClose = onClose;
    }

    @Override
    protected DeliveryQueue.Lease lease(int max) {
        // Read on the writer thread, so a lease queued behind close's release leases nothing.
        return writer.call(SqliteWriter.Sync.NORMAL,
                tx -> isClosed() ? DeliveryQueue.Lease.NONE : queue.lease(tx, subscription.id(), id, max));
    }

    @Override
    protected List<Delivery> deliveries(DeliveryQueue.Lease lease) {
        List<Delivery> deliveries = new ArrayList<>(lease.deliveries().size());
        for (DeliveryQueue.Leased leased : lease.deliveries()) {
            deliveries.add(new LeasedDelivery(this, leased.seq(), EventLog.read(leased.event()), leased.event(),
                    subscription.spec().name(), leased.attempt(), Sqlite.toInstant(leased.publishedAt())));
        }
        return deliveries;
    }

    @Override
    protected long waitNanos(DeliveryQueue.Lease lease) {
        long visibleAt = lease.nextVisibleAt();
        return visibleAt == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, visibleAt - Sqlite.nowNanos());
    }

    @Override
    protected void release() {
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
    }

    @Override
    protected void closed() {
        onClose.accept(this);
    }

    @Override
    public void ack(LeasedDelivery delivery) {
        settle(true, tx -> queue.ack(tx, subscription.id(), delivery.position(), id, delivery.attempt()));
    }

    @Override
    public void nack(LeasedDelivery delivery, Duration delay) {
        long delayNanos = Sqlite.delayNanos(delay);
        settle(true, tx -> queue.nack(tx, subscription.id(), delivery.position(), id, delivery.attempt(),
                delayNanos));
    }

    @Override
    public void deadLetter(LeasedDelivery delivery, String error) {
        settle(false, tx -> queue.deadLetter(tx, subscription.id(), delivery.position(), id, delivery.attempt(),
                error));
    }

    /**
     * Settles a lease and wakes the topic's consumers: settling may release the next event of an ordered key,
     * make room in the subscription's buffer, or schedule a retry.
     *
     * @param oneStatement the settlement is one statement, which fails only when the store does
     */
    private void settle(boolean oneStatement, SqliteWriter.Work<Boolean> settlement) {
        SqliteWriter.Work<Boolean> settleAndWake = tx -> {
            boolean settled = settlement.run(tx);
            if (settled) {
                tx.wake(subscription.topicId());
            }
            return settled;
        };
        settleIfOpen(() -> {
            if (oneStatement) {
                writer.callWithoutSavepoint(SqliteWriter.Sync.NORMAL, settleAndWake);
            } else {
                writer.call(SqliteWriter.Sync.NORMAL, settleAndWake);
            }
        });
    }
}
