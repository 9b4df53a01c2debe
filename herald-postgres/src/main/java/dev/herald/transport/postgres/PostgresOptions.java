package dev.herald.transport.postgres;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Tuning of a {@link PostgresTransport}. Start from {@link #defaults()} and change what you need:
 * <pre>{@code
 * PostgresOptions options = PostgresOptions.defaults()
 *     .withSchema("events")
 *     .withPoolSize(16)
 *     .withAckDeadline(Duration.ofMinutes(1));
 * }</pre>
 *
 * @param schema                     the PostgreSQL schema holding Herald's tables, created if missing;
 *                                   default {@code herald}. Lower case letters, digits and
 *                                   underscores, starting with a letter or underscore, at most 48
 * @param poolSize                   connections in the pool opened from a JDBC URL (publishes, polls,
 *                                   settlements); unused when the transport is given a
 *                                   {@code DataSource}. Three more connections of the pool or the
 *                                   {@code DataSource} are held for the transport's life: one
 *                                   listens for notifications, one sends them, one waits for
 *                                   outbox commits. Default 10
 * @param ackDeadline                a delivery not settled this long after it was handed out is
 *                                   handed out again (its lease expired); default 5 minutes
 * @param retentionMaxAge            events older than this are deleted, unless a subscription still
 *                                   needs them; default 7 days
 * @param retentionInterval          how often retention runs; default 1 minute
 * @param fallbackPollInterval       a waiting consumer polls at least this often even when no
 *                                   notification arrives (a notification is lost when the connection
 *                                   that would carry it breaks); default 2 seconds
 * @param horizonRetryInterval       how soon a consumer polls again when committed events wait behind
 *                                   an older transaction that is still open (see
 *                                   {@link PostgresTransport}); default 5 ms
 * @param commitWatchInterval        how often an outbox transaction that stays open is checked for its
 *                                   commit; default 2 ms, backing off to 200 ms as it stays open. (A
 *                                   short one is not polled: its end is waited for, see
 *                                   {@link PostgresTransport})
 * @param reapInterval               how often leases held by processes that died are released;
 *                                   default 5 seconds
 * @param maxBufferedPerSubscription at most this many events of a subscription are pulled from the
 *                                   log into its deliveries (waiting, in flight or waiting for a
 *                                   retry); default 10,000
 * @param pullBatchSize              at most this many events are pulled into a subscription's
 *                                   deliveries per poll; default 1,000
 */
public record PostgresOptions(String schema, int poolSize, Duration ackDeadline, Duration retentionMaxAge,
                              Duration retentionInterval, Duration fallbackPollInterval,
                              Duration horizonRetryInterval, Duration commitWatchInterval, Duration reapInterval,
                              int maxBufferedPerSubscription, int pullBatchSize) {

    private static final Pattern SCHEMA_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,47}");

    public PostgresOptions {
        Objects.requireNonNull(schema, "schema");
        if (!SCHEMA_NAME.matcher(schema).matches()) {
            throw new IllegalArgumentException("schema must be lower case letters, digits and underscores, starting"
                    + " with a letter or underscore, at most 48 characters: " + schema);
        }
        requirePositive(ackDeadline, "ackDeadline");
        requirePositive(retentionMaxAge, "retentionMaxAge");
        requirePositive(retentionInterval, "retentionInterval");
        requirePositive(fallbackPollInterval, "fallbackPollInterval");
        requirePositive(horizonRetryInterval, "horizonRetryInterval");
        requirePositive(commitWatchInterval, "commitWatchInterval");
        requirePositive(reapInterval, "reapInterval");
        if (poolSize <= 0 || maxBufferedPerSubscription <= 0 || pullBatchSize <= 0) {
            throw new IllegalArgumentException("poolSize, maxBufferedPerSubscription and pullBatchSize must be positive");
        }
    }

    /** The defaults documented on each component. */
    public static PostgresOptions defaults() {
        return new PostgresOptions("herald", 10, Duration.ofMinutes(5), Duration.ofDays(7), Duration.ofMinutes(1),
                Duration.ofSeconds(2), Duration.ofMillis(5), Duration.ofMillis(2), Duration.ofSeconds(5), 10_000, 1_000);
    }

    /** These options with another {@link #schema()}. */
    public PostgresOptions withSchema(String name) {
        return new PostgresOptions(name, poolSize, ackDeadline, retentionMaxAge, retentionInterval,
                fallbackPollInterval, horizonRetryInterval, commitWatchInterval, reapInterval,
                maxBufferedPerSubscription, pullBatchSize);
    }

    /** These options with another {@link #poolSize()}. */
    public PostgresOptions withPoolSize(int size) {
        return new PostgresOptions(schema, size, ackDeadline, retentionMaxAge, retentionInterval,
                fallbackPollInterval, horizonRetryInterval, commitWatchInterval, reapInterval,
                maxBufferedPerSubscription, pullBatchSize);
    }

    /** These options with another {@link #ackDeadline()}. */
    public PostgresOptions withAckDeadline(Duration deadline) {
        return new PostgresOptions(schema, poolSize, deadline, retentionMaxAge, retentionInterval,
                fallbackPollInterval, horizonRetryInterval, commitWatchInterval, reapInterval,
                maxBufferedPerSubscription, pullBatchSize);
    }

    /** These options with another {@link #retentionMaxAge()}. */
    public PostgresOptions withRetentionMaxAge(Duration maxAge) {
        return new PostgresOptions(schema, poolSize, ackDeadline, maxAge, retentionInterval,
                fallbackPollInterval, horizonRetryInterval, commitWatchInterval, reapInterval,
                maxBufferedPerSubscription, pullBatchSize);
    }

    /** These options with another {@link #retentionInterval()}. */
    public PostgresOptions withRetentionInterval(Duration interval) {
        return new PostgresOptions(schema, poolSize, ackDeadline, retentionMaxAge, interval,
                fallbackPollInterval, horizonRetryInterval, commitWatchInterval, reapInterval,
                maxBufferedPerSubscription, pullBatchSize);
    }

    /** These options with another {@link #fallbackPollInterval()}. */
    public PostgresOptions withFallbackPollInterval(Duration interval) {
        return new PostgresOptions(schema, poolSize, ackDeadline, retentionMaxAge, retentionInterval,
                interval, horizonRetryInterval, commitWatchInterval, reapInterval,
                maxBufferedPerSubscription, pullBatchSize);
    }

    /** These options with another {@link #horizonRetryInterval()}. */
    public PostgresOptions withHorizonRetryInterval(Duration interval) {
        return new PostgresOptions(schema, poolSize, ackDeadline, retentionMaxAge, retentionInterval,
                fallbackPollInterval, interval, commitWatchInterval, reapInterval,
                maxBufferedPerSubscription, pullBatchSize);
    }

    /** These options with another {@link #commitWatchInterval()}. */
    public PostgresOptions withCommitWatchInterval(Duration interval) {
        return new PostgresOptions(schema, poolSize, ackDeadline, retentionMaxAge, retentionInterval,
                fallbackPollInterval, horizonRetryInterval, interval, reapInterval,
                maxBufferedPerSubscription, pullBatchSize);
    }

    /** These options with another {@link #reapInterval()}. */
    public PostgresOptions withReapInterval(Duration interval) {
        return new PostgresOptions(schema, poolSize, ackDeadline, retentionMaxAge, retentionInterval,
                fallbackPollInterval, horizonRetryInterval, commitWatchInterval, interval,
                maxBufferedPerSubscription, pullBatchSize);
    }

    /** These options with another {@link #maxBufferedPerSubscription()}. */
    public PostgresOptions withMaxBufferedPerSubscription(int maxBuffered) {
        return new PostgresOptions(schema, poolSize, ackDeadline, retentionMaxAge, retentionInterval,
                fallbackPollInterval, horizonRetryInterval, commitWatchInterval, reapInterval,
                maxBuffered, pullBatchSize);
    }

    /** These options with another {@link #pullBatchSize()}. */
    public PostgresOptions withPullBatchSize(int batchSize) {
        return new PostgresOptions(schema, poolSize, ackDeadline, retentionMaxAge, retentionInterval,
                fallbackPollInterval, horizonRetryInterval, commitWatchInterval, reapInterval,
                maxBufferedPerSubscription, batchSize);
    }

    private static void requirePositive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + duration);
        }
    }
}
