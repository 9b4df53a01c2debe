package dev.herald.transport.memory;

import java.time.Instant;
import java.util.Comparator;

/**
 * One unsettled event of one subscription: waiting (pending, released, or a retry due at
 * {@link #readyAt}) or in flight with one consumer. Guarded by the broker's lock.
 */
final class Entry {

    /** Due order: earliest ready first, then publish order. */
    static final Comparator<Entry> BY_DUE = Comparator.comparing((Entry e) -> e.readyAt)
            .thenComparingLong(e -> e.stored.offset())
            .thenComparingLong(e -> e.serial);

    final StoredEvent stored;
    /** Ordering lane: the key on an ordered subscription, else a lane of its own. */
    String lane;
    /** Tie-breaker for {@link #BY_DUE}: the same event can be tracked twice after a rewind or redrive. */
    final long serial;

    /** Deliveries handed out so far; the next delivery's attempt is this plus one. */
    int attempts;
    /** When waiting: not to be delivered before this. */
    Instant readyAt;
    /** When in flight: the consumer it was handed to; {@code null} while waiting. */
    MemoryConsumer owner;
    /** Changes with every hand-out, so a stale {@link MemoryDelivery} cannot settle a later one. */
    long token;
    Instant firstAttemptAt;
    /**
     * A seek moved the subscription while this was in flight: it may still be acked or dead-lettered,
     * but a nack drops it, because the new position decides what is delivered next.
     */
    boolean detached;

    Entry(StoredEvent stored, String lane, long serial, Instant readyAt) {
        this.stored = stored;
        this.lane = lane;
        this.serial = serial;
        this.readyAt = readyAt;
    }

    boolean inFlight() {
        return owner != null;
    }
}
