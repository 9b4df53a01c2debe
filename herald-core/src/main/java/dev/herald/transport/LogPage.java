package dev.herald.transport;

import java.util.List;
import java.util.Objects;

/**
 * One page of {@link Transport#query}: the matching events, the cursor that continues after
 * everything the page examined, and why it ended.
 *
 * @param entries  the matching events, oldest first, at most the query's limit
 * @param cursor   where the next page starts; never null, also at the end of the topic (to poll for
 *                 newer events). Opaque: only the transport that returned it understands it
 * @param end      why the page ended
 * @param scanned  how many stored events the transport examined for this page (diagnostics; a
 *                 transport that filters natively counts the rows it read back)
 */
public record LogPage(List<LogEntry> entries, String cursor, End end, int scanned) {

    /** Why a page ended. */
    public enum End {
        /** The page holds the query's limit of events; more may follow. */
        FULL,
        /**
         * The transport examined the query's {@code maxScan} stored events without filling the page:
         * a sparse filter. More stored events follow the cursor.
         */
        SCAN_LIMIT,
        /** Every stored event (visible to readers now) was examined: the topic is read to its end. */
        CAUGHT_UP
    }

    public LogPage {
        entries = List.copyOf(entries);
        Objects.requireNonNull(cursor, "cursor");
        Objects.requireNonNull(end, "end");
        if (scanned < 0) {
            throw new IllegalArgumentException("scanned must not be negative: " + scanned);
        }
    }

    /** Whether stored events may remain beyond the cursor (false once caught up). */
    public boolean more() {
        return end != End.CAUGHT_UP;
    }
}
