package dev.herald.transport.spi;

import dev.herald.transport.Consumer;
import dev.herald.transport.Delivery;
import dev.herald.transport.TopicSignals;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The poll loop and lifecycle of a pull-based transport's {@link Consumer}. A subclass says how to lease a
 * batch from its store ({@link #lease}), how to turn it into deliveries, how long to sleep after an empty one,
 * and how to release its leases on close; this class does the rest, the same for every transport:
 *
 * <ul>
 *   <li>checks the arguments ({@code max} positive, {@code timeout} given) and refuses a closed consumer;</li>
 *   <li>leases; when nothing came, sleeps on the topic's {@link TopicSignals.Signal} (raised when something may
 *       have become deliverable) no longer than {@link #waitNanos} and the poll's deadline, then leases again;</li>
 *   <li>never hands out a batch leased while the consumer closed: it goes to {@link #leasedAfterClose}
 *       instead of the caller;</li>
 *   <li>closes once: {@link #release()} runs on the first {@link #close()} only, after pollers are woken;</li>
 *   <li>turns a store failure during close, or an interrupt inside a blocking query, into what a caller expects
 *       (an empty poll, an {@link InterruptedException});</li>
 *   <li>{@link #settleIfOpen} settles nothing once closed (close released the leases).</li>
 * </ul>
 *
 * @param <B> a leased batch, as the store returns it
 */
public abstract class PollingConsumer<B> implements Consumer {

    /** Polls longer than this (up to {@code Duration}'s maximum) wait this long: nanosecond clocks stay exact. */
    private static final Duration LONGEST_POLL = Duration.ofDays(36_500);

    private final String subscription;
    private final TopicSignals.Signal signal;
    private final Lifecycle lifecycle;

    /**
     * A consumer.
     *
     * @param subscription the subscription's name, for messages
     * @param signal       raised when something may have become deliverable on the subscription's topic
     */
    protected PollingConsumer(String subscription, TopicSignals.Signal signal) {
        this.subscription = Objects.requireNonNull(subscription, "subscription");
        this.signal = Objects.requireNonNull(signal, "signal");
        this.lifecycle = new Lifecycle("consumer of " + subscription);
    }

    /**
     * Leases up to {@code max} deliveries, none when nothing is deliverable now.
     *
     * @throws RuntimeException when the store fails; ignored if the consumer closed meanwhile
     */
    protected abstract B lease(int max);

    /** The deliveries of a batch, in order; empty when it leased nothing. */
    protected abstract List<Delivery> deliveries(B batch);

    /** How long to sleep after an empty batch unless the signal comes first, in nanoseconds. */
    protected abstract long waitNanos(B batch);

    /** Releases every lease this consumer holds, for redelivery; failures are the subclass's to swallow. */
    protected abstract void release();

    /** A batch leased while {@link #close()} ran, which close may have missed: release it too. Default: nothing. */
    protected void leasedAfterClose(B batch) {
    }

    /** After the first {@link #close()} released the leases: tell the transport. Default: nothing. */
    protected void closed() {
    }

    @Override
    public final List<Delivery> poll(int max, Duration timeout) throws InterruptedException {
        if (max <= 0) {
            throw new IllegalArgumentException("max must be positive: " + max);
        }
        Objects.requireNonNull(timeout, "timeout");
        lifecycle.ensureOpen();
        long deadline = System.nanoTime() + (timeout.compareTo(LONGEST_POLL) > 0 ? LONGEST_POLL.toNanos()
                : Math.max(0, timeout.toNanos()));
        while (!lifecycle.isClosed()) {
            long seen = signal.version();
            B batch = leaseOrNothing(max);
            if (batch == null) {
                return List.of();
            }
            List<Delivery> deliveries = deliveries(batch);
            if (lifecycle.isClosed()) {
                if (!deliveries.isEmpty()) {
                    leasedAfterClose(batch);
                }
                return List.of();
            }
            if (!deliveries.isEmpty()) {
                return deliveries;
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return List.of();
            }
            signal.await(seen, Math.min(remaining, waitNanos(batch)));
        }
        return List.of();
    }

    private B leaseOrNothing(int max) throws InterruptedException {
        try {
            return lease(max);
        } catch (RuntimeException e) {
            if (lifecycle.isClosed()) {
                // The consumer or its transport closed under this poll.
                return null;
            }
            if (Thread.currentThread().isInterrupted()) {
                // Interrupted inside a blocking query (a driver closes its socket when interrupted).
                InterruptedException interrupted = new InterruptedException("interrupted while polling " + subscription);
                interrupted.initCause(e);
                throw interrupted;
            }
            throw e;
        }
    }

    @Override
    public final void close() {
        if (!lifecycle.close()) {
            return;
        }
        signal.raise();
        release();
        closed();
    }

    /** Whether {@link #close()} was called. */
    protected final boolean isClosed() {
        return lifecycle.isClosed();
    }

    /**
     * Settles through the store unless closed; a store failure after close is ignored (close released the
     * lease, so it will be delivered again).
     */
    protected final void settleIfOpen(Runnable settlement) {
        if (lifecycle.isClosed()) {
            return;
        }
        try {
            settlement.run();
        } catch (RuntimeException e) {
            if (!lifecycle.isClosed()) {
                throw e;
            }
        }
    }

    /** The subscription's name. */
    protected final String subscriptionName() {
        return subscription;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + subscription + (isClosed() ? ", closed]" : "]");
    }
}
