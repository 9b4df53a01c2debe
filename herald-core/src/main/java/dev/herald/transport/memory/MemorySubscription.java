package dev.herald.transport.memory;

import dev.herald.transport.DeadLetter;
import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionSpec;
import dev.herald.transport.SubscriptionStats;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.Condition;

/**
 * A subscription's state: a cursor into its topic, the unsettled events it admitted, and its dead
 * letters. Every method must be called with the broker's lock held.
 *
 * <p>Events are admitted from the topic lazily, only when a poll finds nothing else due, so a
 * subscription far behind costs no more than its topic. Admitted events queue in <em>lanes</em>:
 * on an ordered subscription one lane per ordering key, otherwise one lane per event. Only a lane's
 * head can be handed out, which is all per-key ordering needs: a later event of key K waits behind
 * an unsettled earlier one, and other keys' lanes are unaffected.
 */
final class MemorySubscription {

    private final MemoryTopic topic;
    /** Signalled whenever something may have become deliverable or a consumer closed. */
    final Condition changed;

    private SubscriptionSpec spec;
    /** Offset of the next topic event not yet admitted. */
    private long cursor;
    private final Map<String, ArrayDeque<Entry>> lanes = new HashMap<>();
    /** Exactly the lane heads that are waiting, soonest first. */
    private final TreeSet<Entry> due = new TreeSet<>(Entry.BY_DUE);
    private long tracked;
    private long inFlight;
    private long serials;
    private long tokens;

    private final NavigableMap<Long, Dead> deadLetters = new TreeMap<>();
    private long deadLetterIds;
    private boolean deleted;

    /** A dead letter with the stored event it came from, for redrive. */
    private record Dead(DeadLetter letter, StoredEvent stored) {
    }

    MemorySubscription(SubscriptionSpec spec, MemoryTopic topic, Condition changed) {
        this.spec = spec;
        this.topic = topic;
        this.changed = changed;
        this.cursor = topic.offsetOf(spec.start());
    }

    SubscriptionSpec spec() {
        return spec;
    }

    String name() {
        return spec.name();
    }

    MemoryTopic topic() {
        return topic;
    }

    boolean deleted() {
        return deleted;
    }

    void markDeleted() {
        deleted = true;
        changed.signalAll();
    }

    /**
     * Takes a new ordering flag, delivery delay and native filter; the position and unsettled events stay.
     * The filter applies to the events admitted from now on.
     */
    void update(SubscriptionSpec newSpec) {
        boolean relane = newSpec.ordered() != spec.ordered();
        spec = new SubscriptionSpec(spec.name(), spec.topic(), spec.start(), newSpec.ordered(), newSpec.deliveryDelay(),
                newSpec.filter());
        if (relane) {
            relane();
        }
        changed.signalAll();
    }

    // ---- delivering ------------------------------------------------------------------------

    /** Hands out up to {@code max} due events to {@code consumer}, admitting topic events as needed. */
    List<MemoryDelivery> take(MemoryConsumer consumer, int max, Instant now) {
        List<MemoryDelivery> taken = new ArrayList<>();
        while (taken.size() < max) {
            Entry head = due.isEmpty() ? null : due.first();
            if (head != null && !head.readyAt.isAfter(now)) {
                due.pollFirst();
                taken.add(handOut(head, consumer, now));
            } else if (!admitNext(now)) {
                break;
            }
        }
        return taken;
    }

    /**
     * When the next event becomes due (a retry, or a delayed topic event), or {@code null} when
     * nothing is waiting for time; a poll sleeps no longer than this.
     */
    Instant nextDueAt() {
        Instant next = due.isEmpty() ? null : due.first().readyAt;
        if (cursor < topic.size()) {
            Instant visibleAt = topic.get(cursor).publishedAt().plus(spec.deliveryDelay());
            next = next == null || visibleAt.isBefore(next) ? visibleAt : next;
        }
        return next;
    }

    /**
     * Admits the topic event at the cursor if it is visible yet (its delivery delay has passed); one the
     * subscription's native filter rejects is passed over, as a broker filtering natively drops it.
     */
    private boolean admitNext(Instant now) {
        if (cursor >= topic.size()) {
            return false;
        }
        StoredEvent stored = topic.get(cursor);
        Instant visibleAt = stored.publishedAt().plus(spec.deliveryDelay());
        if (visibleAt.isAfter(now)) {
            return false;
        }
        cursor++;
        if (spec.filter().matches(stored.event())) {
            enqueue(new Entry(stored, laneOf(stored), ++serials, visibleAt));
        }
        return true;
    }

    private String laneOf(StoredEvent stored) {
        // Distinct prefixes: a key can never be mistaken for another event's own lane.
        return spec.ordered() && stored.key() != null ? "k:" + stored.key() : "#" + stored.offset();
    }

    private void enqueue(Entry entry) {
        ArrayDeque<Entry> lane = lanes.computeIfAbsent(entry.lane, l -> new ArrayDeque<>());
        lane.addLast(entry);
        tracked++;
        if (lane.peekFirst() == entry && !entry.inFlight()) {
            due.add(entry);
        }
    }

    private MemoryDelivery handOut(Entry entry, MemoryConsumer consumer, Instant now) {
        entry.owner = consumer;
        entry.attempts++;
        entry.token = ++tokens;
        if (entry.firstAttemptAt == null) {
            entry.firstAttemptAt = now;
        }
        inFlight++;
        consumer.owned().add(entry);
        return new MemoryDelivery(this, entry, consumer, entry.token, entry.attempts);
    }

    // ---- settling --------------------------------------------------------------------------

    /** Whether {@code delivery} still holds its entry (not settled, released, or deleted since). */
    boolean holds(MemoryDelivery delivery) {
        Entry entry = delivery.entry();
        return !deleted && entry.owner == delivery.consumer() && entry.token == delivery.token();
    }

    void ack(Entry entry) {
        disown(entry);
        remove(entry);
        changed.signalAll();
    }

    void nack(Entry entry, Instant readyAt) {
        disown(entry);
        if (entry.detached) {
            remove(entry);
        } else {
            entry.readyAt = readyAt;
            promoteIfHead(entry);
        }
        changed.signalAll();
    }

    void deadLetter(Entry entry, String error, Instant now) {
        disown(entry);
        remove(entry);
        long id = ++deadLetterIds;
        DeadLetter letter = new DeadLetter(Long.toString(id), spec.name(), entry.stored.event(), entry.attempts,
                error, entry.firstAttemptAt, now);
        deadLetters.put(id, new Dead(letter, entry.stored));
        changed.signalAll();
    }

    /** A closing consumer's delivery goes back to the front, due at once. */
    void release(Entry entry, Instant now) {
        entry.owner = null;
        inFlight--;
        if (entry.detached) {
            remove(entry);
        } else {
            entry.readyAt = now;
            promoteIfHead(entry);
        }
        changed.signalAll();
    }

    private void disown(Entry entry) {
        entry.owner.owned().remove(entry);
        entry.owner = null;
        inFlight--;
    }

    private void remove(Entry entry) {
        ArrayDeque<Entry> lane = lanes.get(entry.lane);
        boolean wasHead = lane.peekFirst() == entry;
        lane.remove(entry);
        tracked--;
        if (lane.isEmpty()) {
            lanes.remove(entry.lane);
        } else if (wasHead) {
            promoteIfHead(lane.peekFirst());
        }
    }

    private void promoteIfHead(Entry entry) {
        if (!entry.inFlight() && lanes.get(entry.lane).peekFirst() == entry) {
            due.add(entry);
        }
    }

    // ---- replay ----------------------------------------------------------------------------

    /** Moves the cursor; waiting events are dropped, in-flight ones left to settle (detached). */
    void seek(StartPosition position) {
        List<Entry> keep = new ArrayList<>();
        for (ArrayDeque<Entry> lane : lanes.values()) {
            for (Entry entry : lane) {
                if (entry.inFlight()) {
                    entry.detached = true;
                    keep.add(entry);
                }
            }
        }
        rebuild(keep);
        cursor = topic.offsetOf(position);
        changed.signalAll();
    }

    /** The ordering flag changed: lanes are regrouped in publish order, keeping each event's state. */
    private void relane() {
        List<Entry> all = new ArrayList<>();
        lanes.values().forEach(all::addAll);
        all.sort(Comparator.comparingLong((Entry e) -> e.stored.offset()).thenComparingLong(e -> e.serial));
        for (Entry entry : all) {
            entry.lane = laneOf(entry.stored);
        }
        rebuild(all);
    }

    private void rebuild(List<Entry> entries) {
        lanes.clear();
        due.clear();
        tracked = 0;
        for (Entry entry : entries) {
            enqueue(entry);
        }
    }

    // ---- dead letters ----------------------------------------------------------------------

    List<DeadLetter> deadLetters(String afterIdOrNull, int limit) {
        NavigableMap<Long, Dead> after = afterIdOrNull == null ? deadLetters
                : deadLetters.tailMap(parseId(afterIdOrNull), false);
        return after.values().stream().limit(limit).map(Dead::letter).toList();
    }

    /** Puts dead letters back as new arrivals with a fresh attempt count. */
    int redrive(List<String> ids, Instant now) {
        int count = 0;
        for (String id : ids) {
            Dead dead = removeDeadLetter(id);
            if (dead != null) {
                enqueue(new Entry(dead.stored(), laneOf(dead.stored()), ++serials, now));
                count++;
            }
        }
        if (count > 0) {
            changed.signalAll();
        }
        return count;
    }

    int discard(List<String> ids) {
        int count = 0;
        for (String id : ids) {
            if (removeDeadLetter(id) != null) {
                count++;
            }
        }
        return count;
    }

    private Dead removeDeadLetter(String id) {
        try {
            return deadLetters.remove(parseId(id));
        } catch (IllegalArgumentException unknown) {
            return null;
        }
    }

    private static long parseId(String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a dead-letter id of the memory transport: " + id, e);
        }
    }

    SubscriptionStats stats() {
        return new SubscriptionStats(tracked + (topic.size() - cursor), inFlight, deadLetters.size());
    }
}
