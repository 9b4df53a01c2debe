package dev.herald.transport.postgres;

import dev.herald.transport.Delivery;
import dev.herald.transport.TopicSignals;
import dev.herald.transport.TransportException;
import dev.herald.transport.spi.LeasedDelivery;
import dev.herald.transport.spi.PollingConsumer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * One consumer of a subscription, on the transport kit's poll loop ({@link PollingConsumer}). A poll
 * hands out what an earlier poll leased ahead, or leases a batch: what the subscription already
 * buffered in one statement, or else in one short transaction that pulls new events first
 * ({@link DeliveryQueue#lease}); when it leases nothing the loop sleeps until something may have
 * become deliverable (a notification, or a settlement in this process), until the next delivery's
 * visibility time, briefly while committed events wait behind the horizon, and never longer than the
 * fallback poll interval. Settling returns once committed; acks of the whole transport are batched
 * ({@link GroupCommit}).
 *
 * <p>A poll's queries run on a thread of their own, which the polling thread waits for. A dispatcher
 * stops its poller by interrupting it, and an interrupted virtual thread closes the socket it is
 * reading: the pooled connection would break under the query (and the pool log a warning and open
 * another). Interrupted, the poll returns at once instead; its queries finish on their thread, and
 * what they leased is kept for the next poll, or released when the consumer closed meanwhile.
 */
final class PostgresConsumer extends PollingConsumer<DeliveryQueue.Lease> implements LeasedDelivery.Settler {

    /** What a consumer needs of its transport. */
    record Context(Db db, DeliveryQueue queue, GroupCommit<DeliveryQueue.Ack, Boolean> acks,
                   TopicSignals<Integer> signals, Notifier notifier, PostgresOptions options,
                   java.util.function.Consumer<PostgresConsumer> onClose) {
    }

    /** A poll that goes to the database leases at least this many deliveries (see {@link #lease}). */
    static final int MIN_LEASE = 16;

    /** A delivery leased ahead of the polls, and when ({@link System#nanoTime()}). */
    private record Ahead(DeliveryQueue.Leased leased, long leasedAt) {
    }

    /** Runs a poll's queries, each on a new virtual thread that nobody interrupts (see the class comment). */
    private static final Executor UNINTERRUPTED = work -> Thread.ofVirtual().name("herald-postgres-poll").start(work);

    private final long id;
    private final SubscriptionStore.Stored subscription;
    private final Context context;
    /** Deliveries leased by a poll beyond what it handed out, in log order; guarded by {@link #aheadLock}. */
    private final ArrayDeque<Ahead> ahead = new ArrayDeque<>();
    private final ReentrantLock aheadLock = new ReentrantLock();

    PostgresConsumer(long id, SubscriptionStore.Stored subscription, Context context) {
        super(subscription.spec().name(), context.signals().of(subscription.topicId()));
        this.id = id;
        this.subscription = subscription;
        this.context = context;
    }

    /** Leases up to {@code max} deliveries ({@link #leaseNow}) on a thread nobody interrupts. */
    @Override
    protected DeliveryQueue.Lease lease(int max) {
        CompletableFuture<DeliveryQueue.Lease> leasing = CompletableFuture.supplyAsync(() -> leaseNow(max),
                UNINTERRUPTED);
        try {
            return leasing.get();
        } catch (InterruptedException e) {
            leasing.thenAcceptAsync(this::keepForNextPoll, UNINTERRUPTED);
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted while polling " + subscription.spec().name(), e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new TransportException("polling " + subscription.spec().name() + " failed", e.getCause());
        }
    }

    /**
     * What an interrupted poll leased after its caller left: handed out by the next poll, or released
     * if the consumer closed (close may have released this consumer's leases before these committed).
     */
    private void keepForNextPoll(DeliveryQueue.Lease lease) {
        if (lease.deliveries().isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        aheadLock.lock();
        try {
            List<DeliveryQueue.Leased> leased = lease.deliveries();
            for (int i = leased.size() - 1; i >= 0; i--) {
                ahead.addFirst(new Ahead(leased.get(i), now));
            }
        } finally {
            aheadLock.unlock();
        }
        if (isClosed()) {
            release();
        }
    }

    /**
     * Leases up to {@code max} deliveries. Those leased ahead by an earlier poll go first, without a
     * round trip; else it leases at least {@link #MIN_LEASE} ({@link #fetch}) and keeps what is beyond
     * {@code max} for the next polls. A dispatcher whose handlers finish one by one polls for one or
     * two at a time: this turns those polls into one statement per batch.
     */
    private DeliveryQueue.Lease leaseNow(int max) {
        List<DeliveryQueue.Leased> ready = takeAhead(max);
        if (!ready.isEmpty()) {
            return new DeliveryQueue.Lease(ready, null, false);
        }
        DeliveryQueue.Lease fetched = fetch(Math.max(max, MIN_LEASE));
        List<DeliveryQueue.Leased> leased = fetched.deliveries();
        if (leased.size() <= max) {
            return fetched;
        }
        long now = System.nanoTime();
        aheadLock.lock();
        try {
            leased.subList(max, leased.size()).forEach(extra -> ahead.add(new Ahead(extra, now)));
        } finally {
            aheadLock.unlock();
        }
        return new DeliveryQueue.Lease(List.copyOf(leased.subList(0, max)), null, false);
    }

    /**
     * Up to {@code max} deliveries leased ahead, oldest first. One leased longer ago than half the ack
     * deadline is not handed out (its handler could not be sure to finish in time): it is released
     * for redelivery instead.
     */
    private List<DeliveryQueue.Leased> takeAhead(int max) {
        List<DeliveryQueue.Leased> ready = new ArrayList<>();
        List<DeliveryQueue.Leased> stale = new ArrayList<>();
        long oldest = System.nanoTime() - context.options().ackDeadline().toNanos() / 2;
        aheadLock.lock();
        try {
            while (ready.size() < max && !ahead.isEmpty()) {
                Ahead next = ahead.poll();
                (next.leasedAt() - oldest < 0 ? stale : ready).add(next.leased());
            }
        } finally {
            aheadLock.unlock();
        }
        for (DeliveryQueue.Leased expiring : stale) {
            try {
                context.db().autoCommit("releasing a delivery leased ahead of " + subscription.spec().name(),
                        connection -> context.queue().nack(connection, subscription.id(), expiring.pos(), id,
                                expiring.attempt(), Duration.ZERO));
            } catch (RuntimeException e) {
                // Its lease expires on its own.
            }
        }
        return ready;
    }

    /**
     * Leases up to {@code max} deliveries from the database: from what the subscription already
     * buffered, in one statement, when it is unordered and has enough; else in a poll transaction
     * that pulls new events first ({@link DeliveryQueue#lease}).
     */
    private DeliveryQueue.Lease fetch(int max) {
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

    /**
     * After an empty lease: the fallback poll interval, shorter while committed events wait behind the
     * horizon or a retry becomes visible.
     */
    @Override
    protected long waitNanos(DeliveryQueue.Lease lease) {
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

    /** close() ran while this lease committed, and may have missed it. */
    @Override
    protected void leasedAfterClose(DeliveryQueue.Lease lease) {
        release();
    }

    @Override
    protected void closed() {
        context.onClose().accept(this);
    }

    /**
     * Releases this consumer's leases, those leased ahead included; a failure leaves them to the
     * reaper or the ack deadline.
     */
    @Override
    protected void release() {
        aheadLock.lock();
        try {
            ahead.clear();
        } finally {
            aheadLock.unlock();
        }
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
        // Concurrent acks of all consumers of the transport go together, in one statement and commit.
        // On an ordered subscription an ack releases the next event of the key.
        DeliveryQueue.Ack ack = new DeliveryQueue.Ack(subscription.id(), delivery.position(), id, delivery.attempt());
        settle(subscription.spec().ordered(), () -> context.acks().submit(ack));
    }

    @Override
    public void nack(LeasedDelivery delivery, Duration delay) {
        // Waiting consumers learn the retry's visibility time only by polling again.
        settle(true, () -> context.db().autoCommit("nacking a delivery of " + subscription.spec().name(),
                connection -> context.queue().nack(connection, subscription.id(), delivery.position(), id,
                        delivery.attempt(), delay)));
    }

    @Override
    public void deadLetter(LeasedDelivery delivery, String error) {
        settle(subscription.spec().ordered(), () -> context.db().autoCommit("dead-lettering a delivery of "
                + subscription.spec().name(), connection -> context.queue().deadLetter(connection, subscription.id(),
                delivery.position(), id, delivery.attempt(), error)));
    }

    /**
     * Settles a lease, and wakes the topic's consumers when the settlement may have made something
     * deliverable to them.
     */
    private void settle(boolean wake, BooleanSupplier settlement) {
        settleIfOpen(() -> {
            if (settlement.getAsBoolean() && wake) {
                context.notifier().committed(subscription.topicId());
            }
        });
    }

    @Override
    protected List<Delivery> deliveries(DeliveryQueue.Lease lease) {
        List<Delivery> deliveries = new ArrayList<>(lease.deliveries().size());
        for (DeliveryQueue.Leased leased : lease.deliveries()) {
            deliveries.add(new LeasedDelivery(this, leased.pos(), EventLog.read(leased.event()), leased.event(),
                    subscription.spec().name(), leased.attempt(), leased.publishedAt()));
        }
        return deliveries;
    }
}
