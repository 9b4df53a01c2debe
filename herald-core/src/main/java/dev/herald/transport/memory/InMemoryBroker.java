package dev.herald.transport.memory;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The storage behind in-memory transports: topics, subscriptions with their positions, and dead
 * letters. It outlives the {@link InMemoryTransport}s connected to it, the way a broker outlives its
 * clients, so a test can close a transport and open another that sees the same data. Nothing
 * survives the JVM.
 *
 * <p>One lock guards everything: the broker serves tests and examples, where simple and obviously
 * correct beats throughput.
 */
public final class InMemoryBroker {

    final ReentrantLock lock = new ReentrantLock();
    private final Map<String, MemoryTopic> topics = new HashMap<>();
    private final Map<String, MemorySubscription> subscriptions = new HashMap<>();
    private Instant lastPublishedAt = Instant.EPOCH;

    /** A new, empty broker. */
    public InMemoryBroker() {
    }

    /** A new transport on this broker. */
    public InMemoryTransport connect() {
        return new InMemoryTransport(this);
    }

    /** Guarded by {@link #lock}. */
    MemoryTopic topic(String name) {
        return topics.computeIfAbsent(name, MemoryTopic::new);
    }

    /** Guarded by {@link #lock}. */
    Map<String, MemorySubscription> subscriptions() {
        return subscriptions;
    }

    /**
     * The publish time for the next event: the wall clock, but never earlier than the previous
     * publish time, so topics stay sorted by time even when the clock steps back (replay from a
     * timestamp relies on it). Guarded by {@link #lock}.
     */
    Instant nextPublishTime() {
        Instant now = Instant.now();
        lastPublishedAt = now.isAfter(lastPublishedAt) ? now : lastPublishedAt;
        return lastPublishedAt;
    }

    /** The clock deliveries are timed by. */
    Instant now() {
        return Instant.now();
    }
}
