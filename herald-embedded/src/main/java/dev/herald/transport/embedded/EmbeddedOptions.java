package dev.herald.transport.embedded;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of an {@link EmbeddedTransport}. Start from {@link #defaults()} and change what you need:
 * <pre>{@code
 * EmbeddedOptions options = EmbeddedOptions.defaults()
 *     .withRetentionMaxAge(Duration.ofDays(3))
 *     .withAckDeadline(Duration.ofMinutes(1));
 * }</pre>
 *
 * @param retentionMaxAge            events older than this are deleted, unless a subscription still
 *                                   needs them (see {@link EmbeddedTransport}); default 7 days
 * @param retentionMaxBytes          when the store uses more than this many bytes, the oldest events
 *                                   are deleted, unless a subscription still needs them; default
 *                                   {@link Long#MAX_VALUE} (no size limit)
 * @param retentionInterval          how often retention runs; default 1 minute
 * @param ackDeadline                a delivery not settled this long after it was handed out is
 *                                   handed out again (its lease expired); default 5 minutes
 * @param maxBufferedPerSubscription at most this many events per subscription are pulled from the
 *                                   log into its deliveries (waiting, in flight or waiting for a
 *                                   retry); default 10,000
 * @param commitBatchSize            at most this many writes (publishes, acks, polls, …) share one
 *                                   transaction and one fsync; default 1,000
 * @param commitLinger               how long the writer waits for more writes before committing a
 *                                   batch that is not full; default zero (writes queued while the
 *                                   previous commit ran are batched anyway)
 * @param busyTimeout                how long a reader waits for a lock before failing; default 5 s
 */
public record EmbeddedOptions(Duration retentionMaxAge, long retentionMaxBytes, Duration retentionInterval,
                              Duration ackDeadline, int maxBufferedPerSubscription, int commitBatchSize,
                              Duration commitLinger, Duration busyTimeout) {

    public EmbeddedOptions {
        requirePositive(retentionMaxAge, "retentionMaxAge");
        requirePositive(retentionInterval, "retentionInterval");
        requirePositive(ackDeadline, "ackDeadline");
        requirePositive(busyTimeout, "busyTimeout");
        Objects.requireNonNull(commitLinger, "commitLinger");
        if (commitLinger.isNegative()) {
            throw new IllegalArgumentException("commitLinger must not be negative: " + commitLinger);
        }
        if (retentionMaxBytes <= 0 || maxBufferedPerSubscription <= 0 || commitBatchSize <= 0) {
            throw new IllegalArgumentException("retentionMaxBytes, maxBufferedPerSubscription and commitBatchSize"
                    + " must be positive");
        }
    }

    /** The defaults documented on each component. */
    public static EmbeddedOptions defaults() {
        return new EmbeddedOptions(Duration.ofDays(7), Long.MAX_VALUE, Duration.ofMinutes(1), Duration.ofMinutes(5),
                10_000, 1_000, Duration.ZERO, Duration.ofSeconds(5));
    }

    /** These options with another {@link #retentionMaxAge()}. */
    public EmbeddedOptions withRetentionMaxAge(Duration maxAge) {
        return new EmbeddedOptions(maxAge, retentionMaxBytes, retentionInterval, ackDeadline,
                maxBufferedPerSubscription, commitBatchSize, commitLinger, busyTimeout);
    }

    /** These options with another {@link #retentionMaxBytes()}. */
    public EmbeddedOptions withRetentionMaxBytes(long maxBytes) {
        return new EmbeddedOptions(retentionMaxAge, maxBytes, retentionInterval, ackDeadline,
                maxBufferedPerSubscription, commitBatchSize, commitLinger, busyTimeout);
    }

    /** These options with another {@link #retentionInterval()}. */
    public EmbeddedOptions withRetentionInterval(Duration interval) {
        return new EmbeddedOptions(retentionMaxAge, retentionMaxBytes, interval, ackDeadline,
                maxBufferedPerSubscription, commitBatchSize, commitLinger, busyTimeout);
    }

    /** These options with another {@link #ackDeadline()}. */
    public EmbeddedOptions withAckDeadline(Duration deadline) {
        return new EmbeddedOptions(retentionMaxAge, retentionMaxBytes, retentionInterval, deadline,
                maxBufferedPerSubscription, commitBatchSize, commitLinger, busyTimeout);
    }

    /** These options with another {@link #maxBufferedPerSubscription()}. */
    public EmbeddedOptions withMaxBufferedPerSubscription(int maxBuffered) {
        return new EmbeddedOptions(retentionMaxAge, retentionMaxBytes, retentionInterval, ackDeadline,
                maxBuffered, commitBatchSize, commitLinger, busyTimeout);
    }

    /** These options with another {@link #commitBatchSize()}. */
    public EmbeddedOptions withCommitBatchSize(int batchSize) {
        return new EmbeddedOptions(retentionMaxAge, retentionMaxBytes, retentionInterval, ackDeadline,
                maxBufferedPerSubscription, batchSize, commitLinger, busyTimeout);
    }

    /** These options with another {@link #commitLinger()}. */
    public EmbeddedOptions withCommitLinger(Duration linger) {
        return new EmbeddedOptions(retentionMaxAge, retentionMaxBytes, retentionInterval, ackDeadline,
                maxBufferedPerSubscription, commitBatchSize, linger, busyTimeout);
    }

    /** These options with another {@link #busyTimeout()}. */
    public EmbeddedOptions withBusyTimeout(Duration timeout) {
        return new EmbeddedOptions(retentionMaxAge, retentionMaxBytes, retentionInterval, ackDeadline,
                maxBufferedPerSubscription, commitBatchSize, commitLinger, timeout);
    }

    private static void requirePositive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + duration);
        }
    }
}
