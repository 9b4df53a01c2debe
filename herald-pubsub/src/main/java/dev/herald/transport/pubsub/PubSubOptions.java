package dev.herald.transport.pubsub;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How {@link PubSubTransport} reaches Google Cloud Pub/Sub and what it creates there. Built with
 * {@link #gcp(String)} (real Pub/Sub, Application Default Credentials) or {@link #emulator(String, String)}
 * (the local emulator: plaintext, no credentials) and changed with the {@code withX} methods; every
 * rule is checked at once and all broken ones are reported together.
 *
 * @param project                   the Google Cloud project id holding the topics and subscriptions
 * @param endpoint                  {@code host:port} of the Pub/Sub API; empty for the global endpoint
 *                                  {@code pubsub.googleapis.com:443} (set a regional one such as
 *                                  {@code europe-west1-pubsub.googleapis.com:443} to keep data in a region)
 * @param emulator                  {@code endpoint} is the Pub/Sub emulator: plaintext gRPC, no credentials,
 *                                  no seek (so no replay)
 * @param prefix                    put before every topic and subscription id Herald creates (default {@code herald-})
 * @param ackDeadline               a delivery's lease: unsettled this long, it is delivered again (10 s–600 s, default 60 s)
 * @param maxDeliveryAttempts       Pub/Sub's own dead-letter policy: after this many deliveries without an ack the
 *                                  broker moves the message to the dead letters (5–100, default 100; Herald's
 *                                  dispatcher normally gives up earlier, with its error)
 * @param topicRetention            how long topics keep even acknowledged messages, so that subscriptions can start
 *                                  at {@code earliest} or a timestamp and seek back (0 = off, else 10 min–31 days,
 *                                  default 7 days; billed as storage by Google)
 * @param publishBatchSize          events per publish request (1–1000, default 1000, Pub/Sub's maximum;
 *                                  a request is sent sooner once it holds 4 MiB)
 * @param publishBatchDelay         how long a publish request waits to fill up (0–1 s, default 1 ms)
 * @param maxOutstandingPublishBytes publisher flow control: publishers block while this many bytes are unacknowledged
 *                                  by the broker (at least 1 MiB, default 64 MiB)
 * @param maxPendingPerConsumer     consumer flow control: a consumer stops pulling while it holds this many
 *                                  unsettled or held-back messages (1–10,000, default 1,000)
 * @param requestTimeout            limit of every administrative call and publish (default 30 s)
 */
public record PubSubOptions(String project, String endpoint, boolean emulator, String prefix, Duration ackDeadline,
                            int maxDeliveryAttempts, Duration topicRetention, int publishBatchSize,
                            Duration publishBatchDelay, long maxOutstandingPublishBytes, int maxPendingPerConsumer,
                            Duration requestTimeout) {

    /** Project ids: 6–30 lowercase letters, digits and hyphens, starting with a letter (also "domain:project"). */
    private static final Pattern PROJECT = Pattern.compile("([a-z0-9.-]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]");
    /** A resource id prefix: it starts the id, so it must start with a letter and use the id alphabet. */
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z][A-Za-z0-9._~+%-]{0,63}");
    private static final Pattern HOST_PORT = Pattern.compile("[^\\s:/]+:\\d{1,5}");

    public PubSubOptions {
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(ackDeadline, "ackDeadline");
        Objects.requireNonNull(topicRetention, "topicRetention");
        Objects.requireNonNull(publishBatchDelay, "publishBatchDelay");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        List<String> broken = new ArrayList<>();
        if (!PROJECT.matcher(project).matches()) {
            broken.add("project: must be a Google Cloud project id (6-30 lowercase letters, digits, '-'), got '"
                    + project + "'");
        }
        if (!endpoint.isEmpty() && !HOST_PORT.matcher(endpoint).matches()) {
            broken.add("endpoint: must be host:port, got '" + endpoint + "'");
        }
        if (emulator && endpoint.isEmpty()) {
            broken.add("endpoint: the emulator needs its host:port");
        }
        if (!PREFIX.matcher(prefix).matches() || prefix.startsWith("goog")) {
            broken.add("prefix: must start with a letter, use letters, digits and . _ ~ + % - only, not start "
                    + "with 'goog', at most 64 characters, got '" + prefix + "'");
        }
        if (ackDeadline.compareTo(Duration.ofSeconds(10)) < 0 || ackDeadline.compareTo(Duration.ofSeconds(600)) > 0) {
            broken.add("ackDeadline: must be 10 s to 600 s, got " + ackDeadline);
        }
        if (maxDeliveryAttempts < 5 || maxDeliveryAttempts > 100) {
            broken.add("maxDeliveryAttempts: must be 5 to 100, got " + maxDeliveryAttempts);
        }
        if (!topicRetention.isZero() && (topicRetention.compareTo(Duration.ofMinutes(10)) < 0
                || topicRetention.compareTo(Duration.ofDays(31)) > 0)) {
            broken.add("topicRetention: must be 0 (off) or 10 min to 31 days, got " + topicRetention);
        }
        if (publishBatchSize < 1 || publishBatchSize > 1000) {
            broken.add("publishBatchSize: must be 1 to 1000, got " + publishBatchSize);
        }
        if (publishBatchDelay.isNegative() || publishBatchDelay.compareTo(Duration.ofSeconds(1)) > 0) {
            broken.add("publishBatchDelay: must be 0 to 1 s, got " + publishBatchDelay);
        }
        if (maxOutstandingPublishBytes < 1 << 20) {
            broken.add("maxOutstandingPublishBytes: must be at least 1 MiB, got " + maxOutstandingPublishBytes);
        }
        if (maxPendingPerConsumer < 1 || maxPendingPerConsumer > 10_000) {
            broken.add("maxPendingPerConsumer: must be 1 to 10000, got " + maxPendingPerConsumer);
        }
        if (!requestTimeout.isPositive()) {
            broken.add("requestTimeout: must be positive, got " + requestTimeout);
        }
        if (!broken.isEmpty()) {
            throw new IllegalArgumentException("invalid Pub/Sub options: " + String.join("; ", broken));
        }
    }

    /** Real Pub/Sub in {@code project} on the global endpoint, with Application Default Credentials. */
    public static PubSubOptions gcp(String project) {
        return new PubSubOptions(project, "", false, "herald-", Duration.ofSeconds(60), 100, Duration.ofDays(7), 1000,
                Duration.ofMillis(1), 64L << 20, 1000, Duration.ofSeconds(30));
    }

    /**
     * The Pub/Sub emulator at {@code hostPort} ({@code gcloud beta emulators pubsub start}); any project id
     * works there. Topic retention is off: the emulator has no seek and would replay retained messages to
     * every new subscription.
     */
    public static PubSubOptions emulator(String project, String hostPort) {
        return gcp(project).withEndpoint(hostPort).withEmulator(true).withTopicRetention(Duration.ZERO);
    }

    /** With another API endpoint ({@code host:port}, empty for the global one). */
    public PubSubOptions withEndpoint(String hostPort) {
        return new PubSubOptions(project, hostPort, emulator, prefix, ackDeadline, maxDeliveryAttempts, topicRetention,
                publishBatchSize, publishBatchDelay, maxOutstandingPublishBytes, maxPendingPerConsumer, requestTimeout);
    }

    /** Whether the endpoint is the emulator. */
    public PubSubOptions withEmulator(boolean isEmulator) {
        return new PubSubOptions(project, endpoint, isEmulator, prefix, ackDeadline, maxDeliveryAttempts,
                topicRetention, publishBatchSize, publishBatchDelay, maxOutstandingPublishBytes, maxPendingPerConsumer,
                requestTimeout);
    }

    /** With another resource id prefix. */
    public PubSubOptions withPrefix(String idPrefix) {
        return new PubSubOptions(project, endpoint, emulator, idPrefix, ackDeadline, maxDeliveryAttempts,
                topicRetention, publishBatchSize, publishBatchDelay, maxOutstandingPublishBytes, maxPendingPerConsumer,
                requestTimeout);
    }

    /** With another lease per delivery. */
    public PubSubOptions withAckDeadline(Duration deadline) {
        return new PubSubOptions(project, endpoint, emulator, prefix, deadline, maxDeliveryAttempts, topicRetention,
                publishBatchSize, publishBatchDelay, maxOutstandingPublishBytes, maxPendingPerConsumer, requestTimeout);
    }

    /** With another limit for Pub/Sub's own dead-letter policy. */
    public PubSubOptions withMaxDeliveryAttempts(int attempts) {
        return new PubSubOptions(project, endpoint, emulator, prefix, ackDeadline, attempts, topicRetention,
                publishBatchSize, publishBatchDelay, maxOutstandingPublishBytes, maxPendingPerConsumer, requestTimeout);
    }

    /** With another topic retention (0 = off). */
    public PubSubOptions withTopicRetention(Duration retention) {
        return new PubSubOptions(project, endpoint, emulator, prefix, ackDeadline, maxDeliveryAttempts, retention,
                publishBatchSize, publishBatchDelay, maxOutstandingPublishBytes, maxPendingPerConsumer, requestTimeout);
    }

    /** With other publish batching. */
    public PubSubOptions withPublishBatching(int size, Duration delay) {
        return new PubSubOptions(project, endpoint, emulator, prefix, ackDeadline, maxDeliveryAttempts, topicRetention,
                size, delay, maxOutstandingPublishBytes, maxPendingPerConsumer, requestTimeout);
    }

    /** With other flow control limits for publishers and consumers. */
    public PubSubOptions withFlowControl(long publishBytes, int pendingPerConsumer) {
        return new PubSubOptions(project, endpoint, emulator, prefix, ackDeadline, maxDeliveryAttempts, topicRetention,
                publishBatchSize, publishBatchDelay, publishBytes, pendingPerConsumer, requestTimeout);
    }

    /** With another limit for administrative calls and publishes. */
    public PubSubOptions withRequestTimeout(Duration timeout) {
        return new PubSubOptions(project, endpoint, emulator, prefix, ackDeadline, maxDeliveryAttempts, topicRetention,
                publishBatchSize, publishBatchDelay, maxOutstandingPublishBytes, maxPendingPerConsumer, timeout);
    }
}
