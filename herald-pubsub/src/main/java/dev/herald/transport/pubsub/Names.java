package dev.herald.transport.pubsub;

import com.google.pubsub.v1.SubscriptionName;
import com.google.pubsub.v1.TopicName;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where Herald's names live in Pub/Sub: topic {@code t} is topic {@code <prefix>t}; subscription {@code s} is
 * subscription {@code <prefix>s} on it, plus topic and subscription {@code <prefix>s.dlq} for its dead letters and
 * {@code <prefix>s.retry} for redriven events.
 */
record Names(String project, String prefix) {

    /** The characters Pub/Sub allows in ids, kept short enough for every suffix. */
    private static final Pattern LEGAL = Pattern.compile("[A-Za-z0-9._~+%-]{1,180}");

    /** Refuses a Herald name Pub/Sub could not hold. */
    static void requireLegal(String name, String what) {
        Objects.requireNonNull(name, what);
        if (!LEGAL.matcher(name).matches()) {
            throw new IllegalArgumentException("illegal " + what + " name for Pub/Sub (letters, digits and . _ ~ + % -, "
                    + "at most 180): " + name);
        }
    }

    TopicName topic(String topic) {
        return TopicName.of(project, prefix + topic);
    }

    SubscriptionName subscription(String name) {
        return SubscriptionName.of(project, prefix + name);
    }

    TopicName deadLetterTopic(String name) {
        return TopicName.of(project, prefix + name + ".dlq");
    }

    SubscriptionName deadLetterSubscription(String name) {
        return SubscriptionName.of(project, prefix + name + ".dlq");
    }

    TopicName retryTopic(String name) {
        return TopicName.of(project, prefix + name + ".retry");
    }

    SubscriptionName retrySubscription(String name) {
        return SubscriptionName.of(project, prefix + name + ".retry");
    }

    /** The Herald topic of a Pub/Sub topic path, if it is one of Herald's. */
    Optional<String> heraldTopic(String topicPath) {
        if (!TopicName.isParsableFrom(topicPath)) {
            return Optional.empty();
        }
        String id = TopicName.parse(topicPath).getTopic();
        return id.startsWith(prefix) ? Optional.of(id.substring(prefix.length())) : Optional.empty();
    }
}
