package dev.herald.filter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A CESQL {@code LIKE} pattern matched without backtracking. The CloudEvents SDK compiles {@code LIKE}
 * into a {@link java.util.regex.Pattern}; a pattern such as {@code '%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%!'}
 * then backtracks exponentially (seconds per event, and a subscription's filter runs on every event).
 *
 * <p>Here the pattern is split at its unescaped {@code %} into segments. The first segment must match
 * at the start of the value and the last at its end; every segment in between is found at its
 * leftmost position after the previous one, which is enough because {@code %} absorbs any gap. Each
 * search is a bit-parallel scan (Shift-And) in which {@code _} sets every bit, so a value is read once
 * per segment at a cost of one step per character and 64 pattern characters: at most
 * {@code value length × (segments + pattern length / 64)} steps, never more.
 *
 * <p>Escapes follow the SDK: {@code \%} and {@code \_} are the literal characters; a backslash before
 * anything else is itself literal. Unlike the SDK's regex, {@code _} and {@code %} match line breaks too,
 * as the CESQL specification says ("any character").
 */
final class LikePattern {

    /** A pattern position that matches any one character ({@code _}). */
    private static final int ANY = -1;

    private final String source;
    private final List<Segment> segments;
    private final int wildcards;

    private LikePattern(String source, List<Segment> segments, int wildcards) {
        this.source = source;
        this.segments = segments;
        this.wildcards = wildcards;
    }

    /** Compiles a pattern as written in the expression (after string-literal unescaping). */
    static LikePattern compile(String pattern) {
        List<Segment> segments = new ArrayList<>();
        List<Integer> current = new ArrayList<>();
        int wildcards = 0;
        int[] cps = pattern.codePoints().toArray();
        for (int i = 0; i < cps.length; i++) {
            int c = cps[i];
            if (c == '\\' && i + 1 < cps.length && (cps[i + 1] == '%' || cps[i + 1] == '_')) {
                current.add(cps[++i]);
            } else if (c == '_') {
                current.add(ANY);
                wildcards++;
            } else if (c == '%') {
                segments.add(new Segment(current));
                current = new ArrayList<>();
                wildcards++;
            } else {
                current.add(c);
            }
        }
        segments.add(new Segment(current));
        return new LikePattern(pattern, List.copyOf(segments), wildcards);
    }

    /** How many unescaped {@code %} and {@code _} the pattern holds. */
    int wildcards() {
        return wildcards;
    }

    /** Whether the whole value matches the pattern. */
    boolean matches(String value) {
        return match(value).matched();
    }

    /** The answer and the work it took, in characters compared (64 pattern positions per step). */
    record Outcome(boolean matched, long steps) {
    }

    Outcome match(String value) {
        int[] text = value.codePoints().toArray();
        long[] steps = {0};
        Segment first = segments.get(0);
        if (segments.size() == 1) {
            boolean matched = text.length == first.length() && first.matchesAt(text, 0, steps);
            return new Outcome(matched, steps[0]);
        }
        Segment last = segments.get(segments.size() - 1);
        if (first.length() + last.length() > text.length || !first.matchesAt(text, 0, steps)
                || !last.matchesAt(text, text.length - last.length(), steps)) {
            return new Outcome(false, steps[0]);
        }
        int from = first.length();
        int to = text.length - last.length();
        for (int s = 1; s < segments.size() - 1; s++) {
            int end = segments.get(s).findEnd(text, from, to, steps);
            if (end < 0) {
                return new Outcome(false, steps[0]);
            }
            from = end;
        }
        return new Outcome(true, steps[0]);
    }

    @Override
    public String toString() {
        return source;
    }

    /** Characters between two {@code %}: literal code points and {@link #ANY}. */
    private static final class Segment {
        private final int[] chars;
        /** For each code point of the segment, the positions holding it or {@code _}, as bits. */
        private final Map<Integer, long[]> masks = new HashMap<>();
        /** The positions holding {@code _}: what any other character matches. */
        private final long[] anyMask;

        Segment(List<Integer> chars) {
            this.chars = chars.stream().mapToInt(Integer::intValue).toArray();
            int words = Math.max(1, (this.chars.length + 63) / 64);
            anyMask = new long[words];
            for (int j = 0; j < this.chars.length; j++) {
                if (this.chars[j] == ANY) {
                    anyMask[j >>> 6] |= 1L << (j & 63);
                }
            }
            for (int j = 0; j < this.chars.length; j++) {
                if (this.chars[j] != ANY) {
                    masks.computeIfAbsent(this.chars[j], c -> anyMask.clone())[j >>> 6] |= 1L << (j & 63);
                }
            }
        }

        int length() {
            return chars.length;
        }

        boolean matchesAt(int[] text, int at, long[] steps) {
            for (int j = 0; j < chars.length; j++) {
                steps[0]++;
                if (chars[j] != ANY && chars[j] != text[at + j]) {
                    return false;
                }
            }
            return true;
        }

        /**
         * The end (exclusive) of this segment's leftmost occurrence within {@code text[from, to)}, or -1.
         * Shift-And: bit j of the state says "the segment's first j+1 positions match ending here".
         */
        int findEnd(int[] text, int from, int to, long[] steps) {
            if (chars.length == 0) {
                return from;
            }
            int words = anyMask.length;
            long[] state = new long[words];
            int top = chars.length - 1;
            for (int i = from; i < to; i++) {
                long[] mask = masks.getOrDefault(text[i], anyMask);
                long carry = 1;
                for (int w = 0; w < words; w++) {
                    long shifted = (state[w] << 1) | carry;
                    carry = state[w] >>> 63;
                    state[w] = shifted & mask[w];
                }
                steps[0] += words;
                if ((state[top >>> 6] & (1L << (top & 63))) != 0) {
                    return i + 1;
                }
            }
            return -1;
        }
    }
}
