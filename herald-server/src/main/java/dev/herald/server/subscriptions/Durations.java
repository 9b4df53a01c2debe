package dev.herald.server.subscriptions;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations in the API: ISO-8601 ({@code PT10S}, {@code P1D}) or short forms ({@code 500ms}, {@code 10s}, {@code 5m}, {@code 2h}, {@code 1d}). */
final class Durations {

    private static final Pattern SHORT = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

    private Durations() {
    }

    /**
     * Parses either form.
     *
     * @throws IllegalArgumentException when the text is neither
     */
    static Duration parse(String text) {
        String trimmed = text.trim().toLowerCase(Locale.ROOT);
        Matcher short_ = SHORT.matcher(trimmed);
        if (short_.matches()) {
            long amount = Long.parseLong(short_.group(1));
            return switch (short_.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        }
        try {
            return Duration.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("must be a duration such as PT10S, 500ms, 10s, 5m, 2h or 1d");
        }
    }

    /** The ISO-8601 form. */
    static String format(Duration duration) {
        return duration.toString();
    }
}
