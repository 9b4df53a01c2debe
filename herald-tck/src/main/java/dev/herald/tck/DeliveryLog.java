package dev.herald.tck;

import dev.herald.event.HeraldAttributes;
import dev.herald.transport.Delivery;
import io.cloudevents.CloudEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A thread-safe, totally ordered record of what consumers were handed and what they decided.
 * Several {@link Collector}s may share one log (competing consumers, ordering checks).
 *
 * <p>A collector logs {@link Kind#DELIVERED} when a poll returns a delivery, and logs the outcome
 * <em>before</em> settling it. So for a correct transport the log order respects causality: the
 * acknowledgement of an event is logged before any delivery it released (the next event of the
 * same ordering key) can be logged.
 */
public final class DeliveryLog {

    /** What happened to a delivery. */
    public enum Kind { DELIVERED, ACKED, NACKED, DEAD_LETTERED, LEFT }

    /**
     * One log line.
     *
     * @param seq         position in the log (total order across all collectors sharing it)
     * @param kind        what happened
     * @param consumer    the collector's label
     * @param id          the event id
     * @param key         the event's ordering key, or {@code null}
     * @param attempt     the delivery's attempt number
     * @param nanos       {@link System#nanoTime()} when it was logged
     * @param publishedAt the transport's publish time of the event
     * @param event       the event as delivered
     */
    public record Entry(long seq, Kind kind, String consumer, String id, String key, int attempt, long nanos,
                        Instant publishedAt, CloudEvent event) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, Integer> deliveries = new HashMap<>();
    private final Map<String, Integer> acks = new LinkedHashMap<>();
    private final Map<String, CloudEvent> firstAcked = new HashMap<>();
    private final List<String> failures = new ArrayList<>();

    /** Records a delivery or its outcome. */
    public synchronized Entry add(Kind kind, String consumer, Delivery delivery) {
        CloudEvent event = delivery.event();
        String id = event.getId();
        Entry entry = new Entry(entries.size(), kind, consumer, id, HeraldAttributes.orderingKey(event).orElse(null),
                delivery.attempt(), System.nanoTime(), delivery.publishedAt(), event);
        entries.add(entry);
        if (kind == Kind.DELIVERED) {
            deliveries.merge(id, 1, Integer::sum);
        } else if (kind == Kind.ACKED) {
            acks.merge(id, 1, Integer::sum);
            firstAcked.putIfAbsent(id, event);
        }
        return entry;
    }

    /** Records that a collector's loop failed; awaiting on this log then fails fast. */
    public synchronized void failed(String consumer, Throwable error) {
        failures.add(consumer + ": " + error);
    }

    /** Loop failures recorded so far. */
    public synchronized List<String> failures() {
        return List.copyOf(failures);
    }

    /** A snapshot of every entry, in log order. */
    public synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** A snapshot of the entries about one event, in log order. */
    public synchronized List<Entry> entries(String id) {
        return entries.stream().filter(e -> e.id().equals(id)).toList();
    }

    /** How many entries of a kind were logged. */
    public synchronized long count(Kind kind) {
        return entries.stream().filter(e -> e.kind() == kind).count();
    }

    /** Ids delivered at least once. */
    public synchronized Set<String> deliveredIds() {
        return Set.copyOf(deliveries.keySet());
    }

    /** Ids acknowledged at least once. */
    public synchronized Set<String> ackedIds() {
        return Set.copyOf(acks.keySet());
    }

    /** How many times each id was delivered. */
    public synchronized Map<String, Integer> deliveryCounts() {
        return Map.copyOf(deliveries);
    }

    /** How many times an id was delivered. */
    public synchronized int deliveryCount(String id) {
        return deliveries.getOrDefault(id, 0);
    }

    /** How many times an id was acknowledged. */
    public synchronized int ackCount(String id) {
        return acks.getOrDefault(id, 0);
    }

    /** Number of distinct ids acknowledged. */
    public synchronized int ackedCount() {
        return acks.size();
    }

    /** Acknowledgements beyond the first per id (redeliveries of handled events). */
    public synchronized int duplicateAcks() {
        return acks.values().stream().mapToInt(n -> n - 1).sum();
    }

    /** The event as first acknowledged, by id. */
    public synchronized Map<String, CloudEvent> ackedEvents() {
        return Map.copyOf(firstAcked);
    }

    /** The expected ids not acknowledged yet, in the given order. */
    public synchronized List<String> missingAcked(Collection<String> expected) {
        List<String> missing = new ArrayList<>();
        for (String id : expected) {
            if (!acks.containsKey(id)) {
                missing.add(id);
            }
        }
        return missing;
    }

    /** Delivered ids that are not among the expected ones. */
    public synchronized List<String> unexpected(Set<String> expected) {
        return deliveries.keySet().stream().filter(id -> !expected.contains(id)).sorted().toList();
    }
}
