package dev.herald.transport;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link Transport#query} for a log numbered by one increasing sequence, filtered by reading: the
 * events after the cursor are read in batches and tested with {@link LogFilter#matches}, until the
 * page is full, the scan budget is spent or the log ends. The cursor is the sequence number of the
 * last event examined, in decimal. The in-memory and embedded transports use it.
 */
public final class SequenceScan {

    /** Reads the log: at most {@code limit} entries with a sequence above {@code afterSequence}, in order. */
    @FunctionalInterface
    public interface Reader {
        /**
         * @return the entries, each with its sequence number in decimal as {@link LogEntry#position()}
         */
        List<LogEntry> read(long afterSequence, int limit);
    }

    private static final int BATCH = 500;

    private SequenceScan() {
    }

    /**
     * Answers {@code query} from {@code reader}.
     *
     * @param transport the transport's name, for the error about a foreign cursor
     * @throws InvalidCursorException when the query's cursor is not a sequence number
     */
    public static LogPage page(LogQuery query, String transport, Reader reader) {
        long position = cursor(query.after(), transport);
        List<LogEntry> matches = new ArrayList<>();
        int scanned = 0;
        while (scanned < query.maxScan()) {
            int want = Math.min(BATCH, query.maxScan() - scanned);
            List<LogEntry> batch = reader.read(position, want);
            for (LogEntry entry : batch) {
                scanned++;
                position = Long.parseLong(entry.position());
                if (query.filter().matches(entry.event())) {
                    matches.add(entry);
                    if (matches.size() == query.limit()) {
                        return new LogPage(matches, Long.toString(position), LogPage.End.FULL, scanned);
                    }
                }
            }
            if (batch.size() < want) {
                return new LogPage(matches, Long.toString(position), LogPage.End.CAUGHT_UP, scanned);
            }
        }
        return new LogPage(matches, Long.toString(position), LogPage.End.SCAN_LIMIT, scanned);
    }

    private static long cursor(String text, String transport) {
        if (text == null) {
            return 0;
        }
        try {
            long position = Long.parseLong(text);
            if (position >= 0) {
                return position;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidCursorException(text, transport);
    }
}
