package dev.herald.transport;

import java.time.Instant;
import java.util.Objects;

/**
 * Where a new subscription starts reading its topic, or where {@link Transport#seek} moves it.
 */
public sealed interface StartPosition {

    /** Only events published after the subscription was created. */
    StartPosition LATEST = new Latest();
    /** Every event the topic still retains. */
    StartPosition EARLIEST = new Earliest();

    /** Events published at or after the given instant (by publish time on the transport). */
    static StartPosition at(Instant timestamp) {
        return new At(timestamp);
    }

    /** Parses {@code latest}, {@code earliest} or an ISO-8601 instant such as {@code 2026-11-01T00:00:00Z}. */
    static StartPosition parse(String text) {
        return switch (text) {
            case "latest" -> LATEST;
            case "earliest" -> EARLIEST;
            default -> at(Instant.parse(text));
        };
    }

    /** See {@link #LATEST}. */
    record Latest() implements StartPosition {
        @Override
        public String toString() {
            return "latest";
        }
    }

    /** See {@link #EARLIEST}. */
    record Earliest() implements StartPosition {
        @Override
        public String toString() {
            return "earliest";
        }
    }

    /**
     * See {@link #at(Instant)}.
     *
     * @param timestamp the first publish time to include
     */
    record At(Instant timestamp) implements StartPosition {
        public At {
            Objects.requireNonNull(timestamp, "timestamp");
        }

        @Override
        public String toString() {
            return timestamp.toString();
        }
    }
}
