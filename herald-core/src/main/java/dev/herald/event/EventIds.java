package dev.herald.event;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;

/**
 * Event ids: UUIDv7 (RFC 9562), so ids sort by creation time, which keeps database indexes and
 * log scans cheap and makes ids meaningful to a human reading a stream.
 */
public final class EventIds {

    /** Monotonic within a millisecond: later calls in the same millisecond still sort later. */
    private static final TimeBasedEpochGenerator GENERATOR = Generators.timeBasedEpochGenerator();

    private EventIds() {
    }

    /** A new time-ordered id in the canonical lowercase UUID text form. */
    public static String next() {
        return GENERATOR.generate().toString();
    }
}
