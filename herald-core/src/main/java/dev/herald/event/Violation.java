package dev.herald.event;

import java.util.Objects;

/**
 * One broken rule in an event: where it is, which rule, and the offending value.
 *
 * <p>{@code where} names an envelope attribute ({@code source}, {@code time}, …) or a JSON pointer
 * into the event's data prefixed with {@code data} (for example {@code data/identifiers/0/name}).
 * {@code value} is the offending value rendered as text and truncated to {@value #MAX_VALUE_CHARS}
 * characters, or {@code null} when the problem is an absence.
 *
 * @param where the attribute name or data pointer
 * @param rule  the rule that was broken, in words
 * @param value the offending value (truncated), or null when missing
 */
public record Violation(String where, String rule, String value) {

    /** Values longer than this are cut, so one huge field cannot flood an error report. */
    public static final int MAX_VALUE_CHARS = 80;

    public Violation {
        Objects.requireNonNull(where, "where");
        Objects.requireNonNull(rule, "rule");
        value = truncate(value);
    }

    /** A violation about a missing value. */
    public static Violation missing(String where, String rule) {
        return new Violation(where, rule, null);
    }

    private static String truncate(String value) {
        if (value == null || value.length() <= MAX_VALUE_CHARS) {
            return value;
        }
        return value.substring(0, MAX_VALUE_CHARS - 1) + "…";
    }

    /** {@code where: rule (value)} — the one-line form used by the CLI and error responses. */
    @Override
    public String toString() {
        return value == null ? where + ": " + rule : where + ": " + rule + " (value: " + value + ")";
    }
}
