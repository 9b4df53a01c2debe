package dev.herald.test;

import dev.herald.event.EnvelopeRules;
import dev.herald.schema.EventValidator;
import dev.herald.store.EventStore;
import dev.herald.store.Subscription;
import dev.herald.transport.SubscriptionStats;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a test store saw: every event it stored, in publish order; every publish it refused, with the
 * reasons; every failed handler attempt. Get it with {@link #of(EventStore)} for a store made by
 * {@link TestEventStore} or {@link HeraldExtension}.
 *
 * <p>Handlers run asynchronously, so most readers first {@linkplain #awaitSettled(Duration) wait for the
 * store to settle}; the assertions of {@link HeraldAssertions} do that themselves.
 */
public final class PublishedEvents {

    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private final List<CloudEvent> stored = new ArrayList<>();
    /** Identity sets: the store hands the router and the transport the very same event objects. */
    private final Set<CloudEvent> storedSet = Collections.newSetFromMap(new IdentityHashMap<>());
    private final List<CloudEvent> attempted = new ArrayList<>();
    private final Set<CloudEvent> expectedRefusals = Collections.newSetFromMap(new IdentityHashMap<>());
    private final List<HandlerFailure> failures = new ArrayList<>();
    /** Per subscription: events a handler failed on that wait for their retry. */
    private final Map<String, Integer> pendingRetries = new HashMap<>();
    private final RecordingTransport transport;
    private volatile EventStore store;

    PublishedEvents(RecordingTransport transport) {
        this.transport = transport;
    }

    /**
     * The recording of a test store.
     *
     * @throws IllegalArgumentException when the store was not made by {@link TestEventStore} or
     *                                  {@link HeraldExtension}, so nothing records it
     */
    public static PublishedEvents of(EventStore store) {
        if (store.transport() instanceof RecordingTransport recording) {
            return recording.recording();
        }
        throw new IllegalArgumentException("this EventStore records nothing: make it with TestEventStore.create(…) "
                + "or let HeraldExtension inject it (its transport is " + store.transport().name() + ")");
    }

    /** The store this recording belongs to. */
    public EventStore store() {
        return store;
    }

    /** Every stored event, in publish order. */
    public List<CloudEvent> all() {
        synchronized (lock) {
            return List.copyOf(stored);
        }
    }

    /** The stored events of one type, in publish order. */
    public List<CloudEvent> ofType(String type) {
        return all().stream().filter(e -> type.equals(e.getType())).toList();
    }

    /** How many events are stored; a mark for {@link #since(int)}. */
    public int count() {
        synchronized (lock) {
            return stored.size();
        }
    }

    /** The events stored after the first {@code mark} ones. */
    public List<CloudEvent> since(int mark) {
        synchronized (lock) {
            return List.copyOf(stored.subList(Math.min(mark, stored.size()), stored.size()));
        }
    }

    /** Every refused publish, oldest first, with the reasons. */
    public List<RefusedPublish> refused() {
        return refused(false);
    }

    /**
     * The refused publishes no assertion declared expected ({@link EventsAssert#refused(String)}); these fail
     * a test run with {@link HeraldExtension}.
     */
    public List<RefusedPublish> unexpectedRefusals() {
        return refused(true);
    }

    /** Every failed handler attempt, oldest first. */
    public List<HandlerFailure> handlerFailures() {
        synchronized (lock) {
            return List.copyOf(failures);
        }
    }

    /**
     * Waits until every running, unpaused subscription of the store has handled everything it was sent:
     * no backlog, nothing in flight, no retry pending. A handler's own publishes land in the backlogs
     * before its delivery is acknowledged, so a settled store stays settled until someone publishes.
     *
     * @throws AssertionError when it does not settle in time, naming the busy subscriptions and the
     *                        handler failures seen
     */
    public void awaitSettled(Duration timeout) {
        Map<String, Long> busy = awaitQuiet(timeout, true);
        if (!busy.isEmpty()) {
            throw new AssertionError("the event store did not settle within " + timeout + ": "
                    + busy.entrySet().stream().map(e -> e.getKey() + " has " + e.getValue() + " event(s) to handle")
                    .collect(Collectors.joining(", ")) + failureReport());
        }
    }

    /**
     * Waits until every event was handed to every subscription's handler at least once, leaving out
     * retries still to come: what {@link HeraldExtension} waits for before it closes a store, so that a
     * handler's refused publish is seen even when the test did not wait for the handler.
     *
     * @return whether that happened within the timeout
     */
    boolean awaitFirstAttempts(Duration timeout) {
        return awaitQuiet(timeout, false).isEmpty();
    }

    /** The subscriptions still busy at the timeout (with how many events), or none. */
    private Map<String, Long> awaitQuiet(Duration timeout, boolean includingRetries) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Long> busy = busySubscriptions(includingRetries);
        while (!busy.isEmpty() && System.nanoTime() < deadline) {
            sleep();
            busy = busySubscriptions(includingRetries);
        }
        return busy;
    }

    /** Handler failures as an indented report for assertion messages; empty when there were none. */
    String failureReport() {
        List<HandlerFailure> seen = handlerFailures();
        if (seen.isEmpty()) {
            return "";
        }
        return "\nHandler failures seen:\n" + seen.stream().map(f -> "  - " + f.describe())
                .collect(Collectors.joining("\n"));
    }

    /** Refused publishes as an indented report for assertion messages; empty when there were none. */
    String refusalReport(List<RefusedPublish> refusals) {
        if (refusals.isEmpty()) {
            return "";
        }
        return refusals.stream().map(r -> "  - " + r.describe()).collect(Collectors.joining("\n"));
    }

    /** Declares the refused publishes of {@code type} expected; returns them. */
    List<RefusedPublish> expectRefusals(String type) {
        List<RefusedPublish> matching = refused().stream().filter(r -> type.equals(r.type())).toList();
        synchronized (lock) {
            matching.forEach(r -> expectedRefusals.add(r.event()));
        }
        return matching;
    }

    void attach(EventStore eventStore) {
        this.store = eventStore;
    }

    /** Called by the recording router: the store is about to validate and write this event. */
    void attempted(CloudEvent event) {
        synchronized (lock) {
            attempted.add(event);
        }
    }

    /** Called by the recording transport once the events are stored. */
    void stored(List<CloudEvent> events) {
        synchronized (lock) {
            stored.addAll(events);
            storedSet.addAll(events);
        }
    }

    void handlerFailed(HandlerFailure failure) {
        synchronized (lock) {
            failures.add(failure);
            if (!failure.deadLettered()) {
                pendingRetries.merge(failure.subscription(), 1, Integer::sum);
            }
        }
    }

    /** A consumer took an event again after a failure: its retry no longer waits. */
    void retryTaken(String subscription) {
        synchronized (lock) {
            pendingRetries.computeIfPresent(subscription, (name, count) -> count > 1 ? count - 1 : null);
        }
    }

    private List<RefusedPublish> refused(boolean onlyUnexpected) {
        List<CloudEvent> notStored;
        synchronized (lock) {
            notStored = attempted.stream()
                    .filter(e -> !storedSet.contains(e))
                    .filter(e -> !onlyUnexpected || !expectedRefusals.contains(e))
                    .toList();
        }
        if (notStored.isEmpty()) {
            return List.of();
        }
        // The reasons are worked out again here rather than caught: the store throws them at its caller.
        EventValidator validator = new EventValidator(EnvelopeRules.defaults(), store.schemas());
        return notStored.stream().map(e -> new RefusedPublish(e, validator.check(e))).toList();
    }

    private Map<String, Long> busySubscriptions(boolean includingRetries) {
        Map<String, Long> busy = new LinkedHashMap<>();
        for (String name : transport.subscriptionNames()) {
            var running = store.subscription(name);
            if (running.isEmpty() || running.get().isPaused()) {
                continue; // nothing would drain it: waiting for it could only time out
            }
            SubscriptionStats stats = stats(running.get());
            long waiting = stats == null ? 0 : stats.backlog() - (includingRetries ? 0 : pendingRetries(name));
            if (waiting > 0) {
                busy.put(name, waiting);
            }
        }
        return busy;
    }

    private int pendingRetries(String subscription) {
        synchronized (lock) {
            return pendingRetries.getOrDefault(subscription, 0);
        }
    }

    private static SubscriptionStats stats(Subscription subscription) {
        try {
            return subscription.stats();
        } catch (RuntimeException e) {
            return null; // deleted or closed meanwhile: it has nothing left to settle
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the event store to settle", e);
        }
    }
}
