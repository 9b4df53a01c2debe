package dev.herald.transport.kafka;

import java.util.Collection;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * What one group member knows of one assigned partition: which fetched records are still
 * unsettled, which records above the first unsettled one were settled, and so what may be
 * committed. The commit point is the offset of the first unsettled record (or the end of what was
 * fetched when everything is settled): Herald never commits past a record that was not acknowledged
 * or dead-lettered, whatever order settlements arrive in. Guarded by the member's lock.
 */
final class PartitionLedger {

    final TopicPartition partition;
    /** The offset after the last record fetched; -1 until known. */
    private long fetchedEnd;
    private final TreeMap<Long, Entry> unsettled = new TreeMap<>();
    /** Settled offsets at or above the commit point. */
    private final NavigableSet<Long> settled = new TreeSet<>();
    private final Map<Long, Integer> priorAttempts;
    private long committedPoint;
    private String committedMetadata = "";
    /** Set while a rebalance takes the partition away: nothing more of it is handed out. */
    boolean revoking;
    /** Set while fetching is paused for this partition (too much unsettled). */
    boolean paused;

    /** A ledger starting from a committed offset (null when the group has none: learnt from the first record). */
    PartitionLedger(TopicPartition partition, OffsetAndMetadata committed) {
        this.partition = partition;
        if (committed == null) {
            this.fetchedEnd = -1;
            this.priorAttempts = new java.util.HashMap<>();
        } else {
            this.fetchedEnd = committed.offset();
            CommitMetadata.State state = CommitMetadata.decode(committed.offset(), committed.metadata());
            this.settled.addAll(state.settled());
            this.priorAttempts = new java.util.HashMap<>(state.attempts());
        }
        this.committedPoint = fetchedEnd;
        this.committedMetadata = committed == null ? "" : committed.metadata();
    }

    /** Whether a record was settled before (by an earlier member, as its commit metadata says). */
    boolean isSettled(long offset) {
        return settled.contains(offset) || (fetchedEnd >= 0 && offset < commitPoint() && !unsettled.containsKey(offset));
    }

    /** Attempts an earlier member made on the record at {@code offset}. */
    int priorAttempts(long offset) {
        Integer attempts = priorAttempts.remove(offset);
        return attempts == null ? 0 : attempts;
    }

    /** Records a fetched record: unsettled with its entry, or settled at once when {@code entry} is null. */
    void fetched(long offset, Entry entry) {
        if (fetchedEnd < 0) {
            committedPoint = offset;
        }
        fetchedEnd = offset + 1;
        if (entry == null) {
            settled.add(offset);
        } else {
            unsettled.put(offset, entry);
        }
        prune();
    }

    /** Records a settlement. */
    void settle(long offset) {
        if (unsettled.remove(offset) != null) {
            settled.add(offset);
            prune();
        }
    }

    /** Where the group may resume: the first unsettled record, or after everything fetched; -1 when unknown. */
    long commitPoint() {
        return unsettled.isEmpty() ? fetchedEnd : unsettled.firstKey();
    }

    /** The offset and metadata to commit, or null when nothing changed since the last commit. */
    OffsetAndMetadata toCommit() {
        long point = commitPoint();
        if (point < 0) {
            return null;
        }
        TreeMap<Long, Integer> attempts = new TreeMap<>();
        for (Entry entry : unsettled.values()) {
            if (entry.attempts > 0) {
                attempts.put(entry.offset, entry.attempts);
            }
        }
        String metadata = CommitMetadata.encode(point, settled.tailSet(point, false), attempts);
        if (point == committedPoint && metadata.equals(committedMetadata)) {
            return null;
        }
        return new OffsetAndMetadata(point, metadata);
    }

    /** Notes what was committed, so an unchanged ledger is not committed again. */
    void committed(OffsetAndMetadata offset) {
        committedPoint = offset.offset();
        committedMetadata = offset.metadata();
    }

    /** Records fetched and not settled. */
    int unsettledCount() {
        return unsettled.size();
    }

    /** How far fetching ran ahead of the commit point: bounds the settled set a stuck record keeps. */
    long window() {
        long point = commitPoint();
        return point < 0 ? 0 : fetchedEnd - point;
    }

    /** The unsettled entries, in offset order. */
    Collection<Entry> entries() {
        return unsettled.values();
    }

    /** Events not settled, as far as this member knows, given the partition's end offset. */
    long backlog(long endOffset) {
        if (fetchedEnd < 0) {
            return 0;
        }
        long notFetched = Math.max(0, endOffset - fetchedEnd);
        long settledAhead = settled.tailSet(fetchedEnd, true).size();
        return unsettled.size() + Math.max(0, notFetched - settledAhead);
    }

    private void prune() {
        long point = commitPoint();
        if (!settled.isEmpty() && settled.first() < point) {
            settled.headSet(point, false).clear();
        }
    }
}
