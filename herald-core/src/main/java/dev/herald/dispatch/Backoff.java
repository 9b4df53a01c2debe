package dev.herald.dispatch;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter: the n-th retry waits between half and all of
 * {@code min × 2^(n-1)}, capped at {@code max}. Jitter spreads retries of events that failed
 * together (a downstream outage) so they do not all come back at the same instant.
 *
 * @param min the base delay of the first retry
 * @param max the cap
 */
public record Backoff(Duration min, Duration max) {

    /** 1 s doubling up to 5 min. */
    public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5));

    public Backoff {
        if (min.isNegative() || max.compareTo(min) < 0) {
            throw new IllegalArgumentException("backoff needs 0 <= min <= max, got min=" + min + " max=" + max);
        }
    }

    /** The delay before the attempt after {@code failedAttempt} (1 = the first delivery failed). */
    public Duration delayAfter(int failedAttempt) {
        long capMillis = max.toMillis();
        long exponential = min.toMillis() << Math.min(Math.max(failedAttempt - 1, 0), 30);
        long ceiling = exponential <= 0 ? capMillis : Math.min(exponential, capMillis);
        long floor = ceiling / 2;
        return Duration.ofMillis(floor + ThreadLocalRandom.current().nextLong(ceiling - floor + 1));
    }
}
