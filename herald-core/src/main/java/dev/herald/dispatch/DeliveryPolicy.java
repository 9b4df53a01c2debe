package dev.herald.dispatch;

import java.util.Objects;

/**
 * How a subscription's handler is driven.
 *
 * @param maxAttempts  deliveries before an event goes to the dead letters (1 = no retry)
 * @param backoff      the wait between attempts
 * @param orderedByKey deliver events of one ordering key one at a time, in publish order; a failing
 *                     event holds back its own key only
 * @param concurrency  at most this many handler calls at once
 * @param groupSize    for batch handlers, the largest group handed to one call
 */
public record DeliveryPolicy(int maxAttempts, Backoff backoff, boolean orderedByKey, int concurrency,
                             int groupSize) {

    /** 5 attempts, default backoff, unordered, 8 concurrent calls, groups of up to 100. */
    public static final DeliveryPolicy DEFAULT = new DeliveryPolicy(5, Backoff.DEFAULT, false, 8, 100);

    public DeliveryPolicy {
        Objects.requireNonNull(backoff, "backoff");
        if (maxAttempts < 1 || concurrency < 1 || groupSize < 1) {
            throw new IllegalArgumentException("maxAttempts, concurrency and groupSize must be at least 1, got "
                    + maxAttempts + ", " + concurrency + ", " + groupSize);
        }
    }

    /** This policy with another attempt limit. */
    public DeliveryPolicy withMaxAttempts(int attempts) {
        return new DeliveryPolicy(attempts, backoff, orderedByKey, concurrency, groupSize);
    }

    /** This policy with another backoff. */
    public DeliveryPolicy withBackoff(Backoff newBackoff) {
        return new DeliveryPolicy(maxAttempts, newBackoff, orderedByKey, concurrency, groupSize);
    }

    /** This policy with per-key ordering on or off. */
    public DeliveryPolicy withOrderedByKey(boolean ordered) {
        return new DeliveryPolicy(maxAttempts, backoff, ordered, concurrency, groupSize);
    }

    /** This policy with another concurrency limit. */
    public DeliveryPolicy withConcurrency(int calls) {
        return new DeliveryPolicy(maxAttempts, backoff, orderedByKey, calls, groupSize);
    }

    /** This policy with another group size. */
    public DeliveryPolicy withGroupSize(int size) {
        return new DeliveryPolicy(maxAttempts, backoff, orderedByKey, concurrency, size);
    }
}
