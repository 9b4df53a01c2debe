package dev.herald.dispatch;

import dev.herald.event.Provenance;
import dev.herald.filter.Filter;
import dev.herald.transport.Consumer;
import dev.herald.transport.Delivery;
import io.cloudevents.CloudEvent;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one subscription: polls its {@link Consumer}, filters, runs the handler on virtual threads
 * with bounded concurrency, and settles every delivery — ack after the handler returned, nack with
 * backoff after a failure, dead letter after the last attempt. Retries are scheduled by the
 * transport (nack with a delay), so no thread sleeps or spins waiting for them.
 *
 * <p>Per-key ordering is the transport's job ({@code Capability.ORDERING}): it hands out an event of
 * a key only when the previous one of that key is settled, so the dispatcher can run different keys
 * in parallel without tracking them.
 */
public final class Dispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
    private static final int MAX_ERROR_CHARS = 4000;
    /** Events polled per free capacity permit, for handlers taking one event a call. */
    private static final int EVENTS_PER_FREE_PERMIT = 4;

    private final String subscription;
    private final Consumer consumer;
    private final Filter filter;
    private final Invocation invocation;
    private final DeliveryPolicy policy;
    private final DispatchObserver observer;
    /** One permit per handler call that may run now; all permits back means no handler runs. */
    private final Semaphore capacity;
    /**
     * One permit per call whose deliveries may be unsettled (handler running, or returned and its
     * ack on the way); all permits back means nothing is in flight. A handler call gives its
     * capacity back as soon as it returns, so the next call need not wait for the store to commit
     * this one's ack; this bounds how many such acks may be pending.
     */
    private final Semaphore unsettled;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition resumed = lock.newCondition();
    private volatile boolean running;
    private volatile boolean paused;
    private Thread poller;

    private Dispatcher(String subscription, Consumer consumer, Filter filter, Invocation invocation,
                       DeliveryPolicy policy, DispatchObserver observer) {
        this.subscription = Objects.requireNonNull(subscription);
        this.consumer = Objects.requireNonNull(consumer);
        this.filter = Objects.requireNonNull(filter);
        this.invocation = invocation;
        this.policy = Objects.requireNonNull(policy);
        this.observer = Objects.requireNonNull(observer);
        this.capacity = new Semaphore(policy.concurrency());
        this.unsettled = new Semaphore(maxUnsettled(policy));
    }

    /** A dispatcher calling {@code handler} once per event. */
    public static Dispatcher forEvents(String subscription, Consumer consumer, Filter filter, EventHandler handler,
                                       DeliveryPolicy policy, DispatchObserver observer) {
        return new Dispatcher(subscription, consumer, filter, new Single(handler), policy, observer);
    }

    /** A dispatcher calling {@code handler} with groups of up to {@code policy.groupSize()} events. */
    public static Dispatcher forBatches(String subscription, Consumer consumer, Filter filter, BatchHandler handler,
                                        DeliveryPolicy policy, DispatchObserver observer) {
        return new Dispatcher(subscription, consumer, filter, new Grouped(handler), policy, observer);
    }

    /** Starts polling on a virtual thread. */
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        poller = Thread.ofVirtual().name("herald-dispatch-" + subscription).start(this::pollLoop);
    }

    /** Stops taking new deliveries; handler calls already running finish. */
    public void pause() {
        paused = true;
    }

    /** Takes deliveries again after {@link #pause()}. */
    public void resume() {
        lock.lock();
        try {
            paused = false;
            resumed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether the dispatcher is paused. */
    public boolean isPaused() {
        return paused;
    }

    /**
     * Stops polling, waits up to {@code drainTimeout} for running handler calls to finish, then
     * closes the consumer, which releases anything still unsettled for redelivery — so nothing is
     * lost when a handler outlives the timeout, it only runs again later.
     *
     * @return true when every handler call finished within the timeout
     */
    public boolean stop(Duration drainTimeout) throws InterruptedException {
        Thread pollerThread;
        synchronized (this) {
            if (!running) {
                return true;
            }
            running = false;
            pollerThread = poller;
        }
        pollerThread.interrupt();
        pollerThread.join();
        boolean drained = unsettled.tryAcquire(maxUnsettled(policy), drainTimeout.toNanos(), TimeUnit.NANOSECONDS);
        consumer.close();
        if (drained) {
            unsettled.release(maxUnsettled(policy));
        } else {
            LOG.warn("subscription {}: handlers still running after {}; their events will be redelivered",
                    subscription, drainTimeout);
        }
        return drained;
    }

    private void pollLoop() {
        while (running) {
            int reserved = 0;
            try {
                awaitNotPaused();
                capacity.acquire();
                reserved = 1 + drainAvailable(invocation.maxCalls(policy) - 1);
                List<Delivery> deliveries = consumer.poll(invocation.pollSize(policy, reserved), POLL_TIMEOUT);
                // A pause can arrive while the poll waits: hold what it returned until resumed. If the
                // dispatcher stops meanwhile, closing the consumer releases them for redelivery.
                awaitNotPaused();
                if (!running) {
                    return;
                }
                reserved -= invocation.dispatch(this, deliveries, reserved);
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | LinkageError e) {
                // A poller that dies silently stops the subscription for good: log and keep polling.
                if (running) {
                    LOG.error("subscription {}: polling failed, retrying in 1 s", subscription, e);
                    sleepQuietly(Duration.ofSeconds(1));
                }
            } finally {
                // Permits not handed to a handler call go back, or stop() would wait for them forever.
                capacity.release(reserved);
            }
        }
    }

    private int drainAvailable(int atMost) {
        int taken = 0;
        while (taken < atMost && capacity.tryAcquire()) {
            taken++;
        }
        return taken;
    }

    /** Waits for a capacity permit; false, with the interrupt flag set, when interrupted (stopping). */
    private boolean awaitCapacity() {
        try {
            capacity.acquire();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static int maxUnsettled(DeliveryPolicy policy) {
        return policy.concurrency() * EVENTS_PER_FREE_PERMIT;
    }

    private void awaitNotPaused() throws InterruptedException {
        lock.lock();
        try {
            while (paused && running) {
                resumed.await();
            }
        } finally {
            lock.unlock();
        }
    }

    private static void sleepQuietly(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Acks filtered-out deliveries and returns the rest. */
    private List<Delivery> passFilter(List<Delivery> deliveries) {
        List<Delivery> passed = new ArrayList<>(deliveries.size());
        for (Delivery delivery : deliveries) {
            if (filter.matches(delivery.event())) {
                passed.add(delivery);
            } else {
                delivery.ack();
                observer.attempted(subscription, delivery.event(), delivery.attempt(), Outcome.FILTERED,
                        Duration.ZERO, null);
            }
        }
        return passed;
    }

    /**
     * Runs a call on a new virtual thread, on a capacity permit the caller holds. It first waits for an
     * {@link #unsettled} permit (false, with the interrupt flag set, when interrupted: the caller's
     * permit goes back and nothing runs). Both permits go back when the call is done, the capacity
     * one earlier if the call says its handler returned.
     */
    private boolean runAsync(java.util.function.Consumer<Call> work) {
        try {
            unsettled.acquire();
        } catch (InterruptedException e) {
            capacity.release();
            Thread.currentThread().interrupt();
            return false;
        }
        Call call = new Call();
        Thread.ofVirtual().name("herald-handler-" + subscription).start(() -> {
            try {
                work.accept(call);
            } finally {
                call.handlerReturned();
                unsettled.release();
            }
        });
        return true;
    }

    /** One handler call's hold on the capacity, given back once. */
    private final class Call {
        private boolean capacityReturned;

        /** The handler returned: another call may start while this one settles. */
        void handlerReturned() {
            if (!capacityReturned) {
                capacityReturned = true;
                capacity.release();
            }
        }
    }

    private void succeeded(Delivery delivery, long startNanos) {
        delivery.ack();
        observer.attempted(subscription, delivery.event(), delivery.attempt(), Outcome.ACKED, since(startNanos), null);
    }

    private void failed(Delivery delivery, Throwable error, long startNanos) {
        Outcome outcome;
        if (delivery.attempt() >= policy.maxAttempts()) {
            delivery.deadLetter(describe(error));
            outcome = Outcome.DEAD_LETTERED;
        } else {
            delivery.nack(policy.backoff().delayAfter(delivery.attempt()));
            outcome = Outcome.RETRYING;
        }
        observer.attempted(subscription, delivery.event(), delivery.attempt(), outcome, since(startNanos), error);
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /** The error as stored with a dead letter: the stack trace, bounded. */
    private static String describe(Throwable error) {
        StringWriter text = new StringWriter();
        error.printStackTrace(new PrintWriter(text));
        String trace = text.toString();
        return trace.length() <= MAX_ERROR_CHARS ? trace : trace.substring(0, MAX_ERROR_CHARS) + "…";
    }

    /** How deliveries become handler calls: one per event, or one per group. */
    private sealed interface Invocation permits Single, Grouped {

        /** The most handler calls one poll may feed. */
        int maxCalls(DeliveryPolicy policy);

        /** How many events to poll for when {@code reserved} capacity permits are in hand. */
        int pollSize(DeliveryPolicy policy, int reserved);

        /**
         * Starts handler calls for the deliveries, first on the {@code reserved} permits, then on
         * permits it waits for; returns how many of the reserved ones it used. When interrupted while
         * waiting, it starts no more calls and returns with the thread's interrupt flag set: the
         * deliveries not started stay leased until the consumer closes and releases them.
         */
        int dispatch(Dispatcher dispatcher, List<Delivery> deliveries, int reserved);
    }

    private record Single(EventHandler handler) implements Invocation {

        @Override
        public int maxCalls(DeliveryPolicy policy) {
            return policy.concurrency();
        }

        /**
         * A few events per free permit: one poll (one lease, one round trip to the store) then feeds
         * several handler calls in turn, while the calls of the previous poll finish. Tied to the free
         * permits, so slow handlers, which leave few free, do not keep many deliveries waiting here
         * under a lease.
         */
        @Override
        public int pollSize(DeliveryPolicy policy, int reserved) {
            return reserved * EVENTS_PER_FREE_PERMIT;
        }

        @Override
        public int dispatch(Dispatcher dispatcher, List<Delivery> deliveries, int reserved) {
            List<Delivery> passed = dispatcher.passFilter(deliveries);
            int used = 0;
            for (Delivery delivery : passed) {
                if (used < reserved) {
                    used++;
                } else if (!dispatcher.awaitCapacity()) {
                    break;
                }
                if (!dispatcher.runAsync(call -> handle(dispatcher, delivery, call))) {
                    break;
                }
            }
            return used;
        }

        private void handle(Dispatcher dispatcher, Delivery delivery, Call call) {
            long start = System.nanoTime();
            Throwable error = null;
            try {
                Provenance.handling(delivery.event(), () -> {
                    handler.handle(delivery.event(), delivery::json);
                    return null;
                });
            } catch (Exception | Error e) {
                error = e;
            }
            call.handlerReturned();
            if (error == null) {
                dispatcher.succeeded(delivery, start);
            } else {
                dispatcher.failed(delivery, error, start);
            }
        }
    }

    private record Grouped(BatchHandler handler) implements Invocation {

        @Override
        public int maxCalls(DeliveryPolicy policy) {
            return 1;
        }

        @Override
        public int pollSize(DeliveryPolicy policy, int reserved) {
            return policy.groupSize();
        }

        @Override
        public int dispatch(Dispatcher dispatcher, List<Delivery> deliveries, int reserved) {
            List<Delivery> passed = dispatcher.passFilter(deliveries);
            if (passed.isEmpty()) {
                return 0;
            }
            // The permit is used either way: the call holds it, or runAsync gave it back.
            dispatcher.runAsync(call -> handle(dispatcher, passed));
            return 1;
        }

        private void handle(Dispatcher dispatcher, List<Delivery> group) {
            long start = System.nanoTime();
            List<CloudEvent> events = group.stream().map(Delivery::event).toList();
            try {
                handler.handle(events);
                group.forEach(d -> dispatcher.succeeded(d, start));
            } catch (BatchFailure partial) {
                Map<String, Delivery> byId = new HashMap<>();
                group.forEach(d -> byId.put(d.event().getId(), d));
                Throwable cause = partial.getCause() == null ? partial : partial.getCause();
                byId.forEach((id, d) -> {
                    if (partial.failedEventIds().contains(id)) {
                        dispatcher.failed(d, cause, start);
                    } else {
                        dispatcher.succeeded(d, start);
                    }
                });
            } catch (Exception | Error e) {
                group.forEach(d -> dispatcher.failed(d, e, start));
            }
        }
    }
}
