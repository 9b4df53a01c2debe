package dev.herald.transport.kafka;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableSet;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * What a committed offset cannot say on its own, carried in the commit's metadata string: which
 * records above the committed offset were already settled (acknowledged or dead-lettered), and how
 * many delivery attempts unsettled ones had.
 *
 * <p>Why: Herald commits the offset of the first unsettled record, never past it, so one slow or
 * failing record would otherwise make every later settled record of its partition run again after
 * a restart or rebalance, and attempt counts would restart at 1 with every new group member.
 *
 * <p>Format (version 1): {@code h1;s=<ranges>;a=<delta>:<attempts>,…}, offsets as deltas from the
 * committed offset, settled ones as ranges ({@code 0-4,7,9-12}). The broker limits metadata
 * ({@code offset.metadata.max.bytes}, 4096 by default), so the text is capped at
 * {@link #MAX_CHARS}: what does not fit is left out, which only means those records may be
 * delivered again (settled ones) or count attempts from 1 (unsettled ones).
 */
final class CommitMetadata {

    /** Below the broker's default limit of 4096 bytes, with room to spare. */
    static final int MAX_CHARS = 3000;
    private static final int MAX_SETTLED_CHARS = 2200;
    private static final String VERSION = "h1";

    /** Decoded metadata: absolute settled offsets and attempts by absolute offset. */
    record State(NavigableSet<Long> settled, Map<Long, Integer> attempts) {
        static final State EMPTY = new State(Collections.emptyNavigableSet(), Map.of());
    }

    private CommitMetadata() {
    }

    /**
     * @param committed the offset being committed
     * @param settled   settled offsets, all above {@code committed}, ascending
     * @param attempts  attempts of unsettled records by offset, ascending
     */
    static String encode(long committed, NavigableSet<Long> settled, SortedMap<Long, Integer> attempts) {
        if (settled.isEmpty() && attempts.isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder(VERSION).append(";s=");
        int start = text.length();
        long rangeStart = -1;
        long previous = -2;
        for (long offset : settled) {
            if (offset == previous + 1) {
                previous = offset;
                continue;
            }
            if (rangeStart >= 0 && !appendRange(text, start, rangeStart - committed, previous - committed)) {
                rangeStart = -1;
                break;
            }
            rangeStart = offset;
            previous = offset;
        }
        if (rangeStart >= 0) {
            appendRange(text, start, rangeStart - committed, previous - committed);
        }
        text.append(";a=");
        int attemptsStart = text.length();
        for (Map.Entry<Long, Integer> entry : attempts.entrySet()) {
            String item = (text.length() > attemptsStart ? "," : "") + (entry.getKey() - committed) + ":" + entry.getValue();
            if (text.length() + item.length() > MAX_CHARS) {
                break;
            }
            text.append(item);
        }
        return text.toString();
    }

    private static boolean appendRange(StringBuilder text, int start, long from, long to) {
        String item = (text.length() > start ? "," : "") + (from == to ? String.valueOf(from) : from + "-" + to);
        if (text.length() - start + item.length() > MAX_SETTLED_CHARS) {
            return false;
        }
        text.append(item);
        return true;
    }

    /** Decodes metadata committed with {@code committed}; anything unreadable decodes as nothing known. */
    static State decode(long committed, String metadata) {
        if (metadata == null || !metadata.startsWith(VERSION + ";")) {
            return State.EMPTY;
        }
        try {
            NavigableSet<Long> settled = new TreeSet<>();
            Map<Long, Integer> attempts = new HashMap<>();
            for (String part : metadata.substring(VERSION.length() + 1).split(";")) {
                if (part.startsWith("s=") && part.length() > 2) {
                    for (String range : part.substring(2).split(",")) {
                        int dash = range.indexOf('-');
                        long from = Long.parseLong(dash < 0 ? range : range.substring(0, dash));
                        long to = dash < 0 ? from : Long.parseLong(range.substring(dash + 1));
                        for (long delta = from; delta <= to; delta++) {
                            settled.add(committed + delta);
                        }
                    }
                } else if (part.startsWith("a=") && part.length() > 2) {
                    for (String item : part.substring(2).split(",")) {
                        int colon = item.indexOf(':');
                        attempts.put(committed + Long.parseLong(item.substring(0, colon)),
                                Integer.parseInt(item.substring(colon + 1)));
                    }
                }
            }
            return new State(settled, attempts);
        } catch (RuntimeException e) {
            return State.EMPTY;
        }
    }
}
