package dev.herald.transport.memory;

import dev.herald.transport.StartPosition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An append-only list of events with their publish times, and the subscriptions reading it.
 * Guarded by the broker's lock.
 */
final class MemoryTopic {

    private final String name;
    private final List<StoredEvent> events = new ArrayList<>();
    private final Set<MemorySubscription> subscriptions = new LinkedHashSet<>();

    MemoryTopic(String name) {
        this.name = name;
    }

    String name() {
        return name;
    }

    long size() {
        return events.size();
    }

    StoredEvent get(long offset) {
        return events.get(Math.toIntExact(offset));
    }

    void append(StoredEvent event) {
        events.add(event);
    }

    Set<MemorySubscription> subscriptions() {
        return subscriptions;
    }

    /** The offset of the first event a reader starting at {@code position} sees. */
    long offsetOf(StartPosition position) {
        return switch (position) {
            case StartPosition.Earliest earliest -> 0;
            case StartPosition.Latest latest -> size();
            case StartPosition.At at -> firstAtOrAfter(at.timestamp());
        };
    }

    /** Binary search: publish times never decrease along the list. */
    private long firstAtOrAfter(Instant timestamp) {
        int index = Collections.binarySearch(events, null, (stored, ignored) ->
                stored.publishedAt().isBefore(timestamp) ? -1 : 1);
        // The comparator never returns 0, so the search always ends at the insertion point.
        return -(index + 1);
    }
}
