package dev.herald.transport.postgres;

import dev.herald.transport.Consumer;
import dev.herald.transport.Delivery;
import dev.herald.transport.LeasedDelivery;
import dev.herald.transport.TopicSignals;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One consumer of a subscription. A poll leases what the subscription already buffered in one
 * statement, or else runs one short transaction that pulls new events first
 * ({@link DeliveryQueue#lease}); when it leases nothing the consumer sleeps on its topic's {@link TopicTopicSignals.Signal} until something
 * may have become deliverable (a notification, or a settlement in this process), until the next
 * delivery's visibility time, briefly while committed events wait behind the horizon, and never
 * longer than the fallback poll interval or the poll's timeout. Settling returns once committed.
 */
final class PostgresConsumer implements Consumer, LeasedDelivery.Settler {

    /** What a consumer needs of its transport. */
    record Context(Db db, DeliveryQueue queue, TopicSignals<Integer> signals, Notifier notifier, PostgresOptions options,
                   java.util.function.Consumer<PostgresConsumer> onClose) {
    }

    private final long id;
    private final SubscriptionStore.Stored subscription;
    private final Context context;
    private final TopicSignals.Signal signal;
    /** Makes "close returned" and "poll returns deliveries" exclusive. */
    private final ReentrantLock closing = new ReentrantLock();
    private volatile boolean closed;

    PostgresConsumer(long id, SubscriptionStore.Stored subscription, Context context) {
        this.id = id;
        this.subscription = subscription;
        this.context = context;
        this.signal = context.signals().of(subscription.topicId());
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
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        while (!closed) {
            long seen = signal.version();
            DeliveryQueue.Lease lease;
            try {
                lease = lease(max);
            } catch (RuntimeException e) {
                if (closed) {
                    // The transport is closing under this poll.
                    return List.of();
                }
                if (Thread.currentThread().isInterrupted()) {
                    // Interrupted in the middle of a query (the driver's socket was closed by it).
                    InterruptedException interrupted = new InterruptedException("interrupted while polling");
                    interrupted.initCause(e);
                    throw interrupted;
                }
                throw e;
            }
            closing.lock();
            try {
                if (closed) {
                    // close() ran while this lease committed, and may have missed it: release it here.
                    if (!lease.deliveries().isEmpty()) {
                        releaseQuietly();
                    }
                    return List.of();
                }
                if (!lease.deliveries().isEmpty()) {
                    return toDeliveries(lease);
                }
            } finally {
                closing.unlock();
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return List.of();
            }
            signal.await(seen, Math.min(remaining, waitFor(lease)));
        }
        return List.of();
    }

    /**
     * Leases up to {@code max} deliveries: from what the subscription already buffered, in one
     * statement, when it is unordered and has enough; else in a poll transaction that pulls new
     * events first ({@link DeliveryQueue#lease}).
     */
    private DeliveryQueue.Lease lease(int max) {
        String what = "polling " + subscription.spec().name();
        List<DeliveryQueue.Leased> buffered = subscription.spec().ordered() ? List.of()
                : context.db().autoCommit(what, connection -> context.queue().leaseBuffered(connection,
                        subscription.id(), id, max));
        if (buffered.size() == max) {
            return new DeliveryQueue.Lease(buffered, null, false);
        }
        DeliveryQueue.Lease pulled = context.db().transaction(what, connection -> context.queue().lease(connection,
                subscription.id(), id, max - buffered.size()));
        if (buffered.isEmpty()) {
            return pulled;
        }
        List<DeliveryQueue.Leased> all = new ArrayList<>(buffered);
        all.addAll(pulled.deliveries());
        all.sort(java.util.Comparator.comparingLong(DeliveryQueue.Leased::pos));
        return new DeliveryQueue.Lease(all, null, false);
    }

    /** How long to sleep after an empty lease, unless a signal comes first. */
    private long waitFor(DeliveryQueue.Lease lease) {
        PostgresOptions options = context.options();
        long wait = options.fallbackPollInterval().toNanos();
        if (lease.behindHorizon()) {
            wait = Math.min(wait, options.horizonRetryInterval().toNanos());
        }
        if (lease.nextVisibleAt() != null) {
            Duration until = Duration.between(Instant.now(), lease.nextVisibleAt());
            wait = Math.min(wait, Math.max(TimeUnit.MILLISECONDS.toNanos(1), until.toNanos()));
        }
        return wait;
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
        releaseQuietly();
        context.onClose().accept(this);
    }

    /** Releases this consumer's leases; a failure leaves them to the reaper or the ack deadline. */
    private void releaseQuietly() {
        try {
            int released = context.db().autoCommit("releasing the leases of " + this,
                    connection -> context.queue().release(connection, subscription.id(), id));
            if (released > 0) {
                context.notifier().committed(subscription.topicId());
            }
        } catch (RuntimeException e) {
            // The transport is closing, or the database is unreachable: leases expire on their own.
        }
    }

    @Override
    public void ack(LeasedDelivery delivery) {
        // On an ordered subscription an ack releases the next event of the key.
        settle(subscription.spec().ordered(), "acknowledging", connection -> context.queue().ack(connection,
                subscription.id(), delivery.position(), id, delivery.attempt()));
    }

    @Override
    public void nack(LeasedDelivery delivery, Duration delay) {
        // Waiting consumers learn the retry's visibility time only by polling again.
        settle(true, "nacking", connection -> context.queue().nack(connection, subscription.id(), delivery.position(), id,
                delivery.attempt(), delay));
    }

    @Override
    public void deadLetter(LeasedDelivery delivery, String error) {
        settle(subscription.spec().ordered(), "dead-lettering", connection -> context.queue().deadLetter(connection,
                subscription.id(), delivery.position(), id, delivery.attempt(), error));
    }

    /**
     * Settles a lease, and wakes the topic's consumers when the settlement may have made something
     * deliverable to them. Once this consumer is closed its leases were released, and settling does
     * nothing.
     */
    private void settle(boolean wake, String what, Db.Work<Boolean> settlement) {
        if (closed) {
            return;
        }
        boolean settled;
        try {
            settled = context.db().autoCommit(what + " a delivery of " + subscription.spec().name(), settlement);
        } catch (RuntimeException e) {
            if (closed) {
                return;
            }
            throw e;
        }
        if (settled && wake) {
            context.notifier().committed(subscription.topicId());
        }
    }

    private List<Delivery> toDeliveries(DeliveryQueue.Lease lease) {
        List<Delivery> deliveries = new ArrayList<>(lease.deliveries().size());
        for (DeliveryQueue.Leased leased : lease.deliveries()) {
            deliveries.add(new LeasedDelivery(this, leased.pos(), EventLog.read(leased.event()),
                    subscription.spec().name(), leased.attempt(), leased.publishedAt()));
        }
        return deliveries;
    }

    @Override
    public String toString() {
        return "PostgresConsumer[" + subscription.spec().name() + " #" + Long.toHexString(id)
                + (closed ? ", closed]" : "]");
    }
}
