package dev.herald.server.subscriptions;

import java.time.Duration;

/**
 * Durations in the subscriptions API, in Herald's one duration grammar ({@link dev.herald.settings.Durations}:
 * {@code 500ms}, {@code 10s}, {@code 5m}, {@code 2h}, {@code 1d} or ISO-8601 such as {@code PT10S}), the same
 * as in settings.
 */
final class Durations {

    private Durations() {
    }

    /**
     * Parses either form.
     *
     * @throws IllegalArgumentException stating the rule when the text is neither
     */
    static Duration parse(String text) {
        return dev.herald.settings.Durations.parse(text);
    }

    /** The ISO-8601 form. */
    static String format(Duration duration) {
        return dev.herald.settings.Durations.format(duration);
    }
}
