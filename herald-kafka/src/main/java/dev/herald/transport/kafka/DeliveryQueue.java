package dev.herald.transport.kafka;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * Decides which fetched entries a member hands out next. Entries visible now wait in {@code ready}
 * (fetch order); entries with a future visibility time (delivery delay, nack delay) wait in
 * {@code delayed}. On an ordered subscription an entry with a key joins its key's line, and only the
 * line's head is ever ready or delayed: the next entry of the key becomes schedulable once the head
 * is settled. So a failing event holds back its own key (in memory, on this member) and no other
 * key. Entries without a key (and redriven dead letters) are never held back.
 *
 * <p>Removal is lazy: an entry leaving (settled, stale) is skipped when it reaches the front.
 * Guarded by the member's lock.
 */
final class DeliveryQueue {

    private static final Comparator<Entry> BY_VISIBILITY =
            Comparator.<Entry>comparingLong(e -> e.visibleAt).thenComparingLong(e -> e.offset);

    private final ArrayDeque<Entry> ready = new ArrayDeque<>();
    private final PriorityQueue<Entry> delayed = new PriorityQueue<>(BY_VISIBILITY);
    /** Per (partition, key): the key's unsettled entries in offset order; the first is the head. */
    private final Map<LineKey, ArrayDeque<Entry>> lines = new HashMap<>();
    private boolean ordered;
    private int leased;

    private record LineKey(String topic, int partition, String key) {
    }

    DeliveryQueue(boolean ordered) {
        this.ordered = ordered;
    }

    /** Whether entries are held back per key. */
    boolean ordered() {
        return ordered;
    }

    /** Switches per-key ordering; only valid while the queue is empty (the member rebuilt it). */
    void ordered(boolean perKey) {
        this.ordered = perKey;
    }

    /** Adds a newly fetched entry. */
    void add(Entry entry) {
        if (ordered && entry.key != null) {
            ArrayDeque<Entry> line = lines.computeIfAbsent(lineKey(entry), k -> new ArrayDeque<>());
            line.addLast(entry);
            if (line.size() > 1) {
                return;
            }
        }
        schedule(entry, System.nanoTime());
    }

    /**
     * Leases up to {@code max} visible entries to {@code holder}, in the order they became ready.
     * Entries of partitions being revoked are left alone.
     */
    List<Entry> take(int max, KafkaSubscriptionConsumer holder, long lease, Map<?, PartitionLedger> ledgers) {
        long now = System.nanoTime();
        promoteDue(now);
        List<Entry> taken = new ArrayList<>(Math.min(max, ready.size()));
        List<Entry> skipped = null;
        while (taken.size() < max && !ready.isEmpty()) {
            Entry entry = ready.pollFirst();
            if (entry.state != Entry.State.WAITING || entry.visibleAt > now) {
                if (entry.state == Entry.State.WAITING) {
                    delayed.add(entry);
                }
                continue;
            }
            PartitionLedger ledger = ledgers.get(entry.partition);
            if (ledger == null || ledger.revoking) {
                if (skipped == null) {
                    skipped = new ArrayList<>();
                }
                skipped.add(entry);
                continue;
            }
            entry.state = Entry.State.LEASED;
            entry.holder = holder;
            entry.lease = lease;
            entry.attempts++;
            if (entry.firstAttemptAt == null) {
                entry.firstAttemptAt = java.time.Instant.now();
            }
            leased++;
            taken.add(entry);
        }
        if (skipped != null) {
            // Kept at the front: if the revocation is cancelled they are next.
            for (int i = skipped.size() - 1; i >= 0; i--) {
                ready.addFirst(skipped.get(i));
            }
        }
        return taken;
    }

    /** Nanoseconds until the next delayed entry is visible; {@link Long#MAX_VALUE} when none is. */
    long nanosUntilNextVisible() {
        Entry next = delayed.peek();
        while (next != null && next.state != Entry.State.WAITING) {
            delayed.poll();
            next = delayed.peek();
        }
        return next == null ? Long.MAX_VALUE : Math.max(0, next.visibleAt - System.nanoTime());
    }

    /** A leased entry was settled (acknowledged or dead-lettered): its key's next entry may go. */
    void settled(Entry entry) {
        if (entry.state == Entry.State.LEASED || entry.state == Entry.State.DEAD_LETTERING) {
            leased--;
        }
        entry.state = Entry.State.DONE;
        entry.holder = null;
        advanceLine(entry);
    }

    /** A leased entry failed: it stays its key's head and is handed out again at {@code visibleAt}. */
    void retry(Entry entry, long visibleAt) {
        leased--;
        entry.state = Entry.State.WAITING;
        entry.holder = null;
        entry.visibleAt = visibleAt;
        schedule(entry, System.nanoTime());
    }

    /** A leased entry was released unsettled (its consumer closed): first in line again, visible now. */
    void release(Entry entry) {
        leased--;
        entry.state = Entry.State.WAITING;
        entry.holder = null;
        entry.visibleAt = Math.min(entry.visibleAt, System.nanoTime());
        ready.addFirst(entry);
    }

    /** Entries leased and not settled. */
    int leasedCount() {
        return leased;
    }

    /** Drops entries (their partition left, or the subscription moved); leased ones are left to their holders. */
    void drop(Iterable<Entry> entries) {
        for (Entry entry : entries) {
            if (entry.state == Entry.State.LEASED || entry.state == Entry.State.DEAD_LETTERING) {
                leased--;
            }
            entry.state = Entry.State.STALE;
            entry.holder = null;
            lines.remove(lineKey(entry));
        }
    }

    /** Forgets everything (the member closes or is rebuilt). */
    void clear() {
        ready.clear();
        delayed.clear();
        lines.clear();
        leased = 0;
    }

    private void advanceLine(Entry entry) {
        if (!ordered || entry.key == null) {
            return;
        }
        LineKey key = lineKey(entry);
        ArrayDeque<Entry> line = lines.get(key);
        if (line == null) {
            return;
        }
        line.remove(entry);
        Entry next = line.peekFirst();
        if (next == null) {
            lines.remove(key);
        } else if (next.state == Entry.State.WAITING) {
            schedule(next, System.nanoTime());
        }
    }

    private void schedule(Entry entry, long now) {
        if (entry.visibleAt <= now) {
            ready.addLast(entry);
        } else {
            delayed.add(entry);
        }
    }

    private void promoteDue(long now) {
        Entry next;
        while ((next = delayed.peek()) != null && next.visibleAt <= now) {
            delayed.poll();
            if (next.state == Entry.State.WAITING) {
                ready.addLast(next);
            }
        }
    }

    private static LineKey lineKey(Entry entry) {
        return new LineKey(entry.partition.topic(), entry.partition.partition(), Objects.requireNonNullElse(entry.key, ""));
    }
}
