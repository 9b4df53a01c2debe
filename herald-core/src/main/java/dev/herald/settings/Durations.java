package dev.herald.settings;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Herald's one duration grammar, shared by settings, the HTTP API and the CLI: a whole number with a unit
 * ({@code 500ms}, {@code 30s}, {@code 15m}, {@code 24h}, {@code 7d}), {@code 0}, or ISO-8601
 * ({@code PT24H}, {@code P1D}). Units are case-insensitive; ISO-8601 is what {@link Duration#parse} accepts.
 */
public final class Durations {

    /** The rule a duration must follow, as error messages state it. */
    public static final String RULE = "must be a duration such as 500ms, 30s, 15m, 24h, 7d or PT24H";

    private static final Pattern SHORT = Pattern.compile("(\\d{1,18})\\s*(ms|s|m|h|d)");

    private Durations() {
    }

    /**
     * Parses either form.
     *
     * @throws IllegalArgumentException with {@link #RULE} as its message when the text is neither
     */
    public static Duration parse(String text) {
        String trimmed = text.strip();
        if (trimmed.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = SHORT.matcher(trimmed.toLowerCase(Locale.ROOT));
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            }
            return Duration.parse(trimmed);
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException(RULE);
        }
    }

    /** The ISO-8601 form, which {@link #parse} reads back. */
    public static String format(Duration duration) {
        return duration.toString();
    }
}
