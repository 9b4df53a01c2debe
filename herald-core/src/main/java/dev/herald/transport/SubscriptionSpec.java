package dev.herald.transport;

import java.time.Duration;
import java.util.Objects;

/**
 * What a transport must know to keep a durable subscription: its name, the topic it reads, where a
 * new subscription starts, whether deliveries are ordered per key, and a delivery delay.
 *
 * @param name          unique per transport; names a durable position and dead-letter store
 * @param topic         the topic whose events the subscription receives (fan-out: every subscription
 *                      of a topic receives every event)
 * @param start         where a newly created subscription starts; ignored when it already exists
 * @param ordered       deliver per ordering key in publish order (needs {@link Capability#ORDERING})
 * @param deliveryDelay no event is delivered earlier than its publish time plus this delay
 */
public record SubscriptionSpec(String name, String topic, StartPosition start, boolean ordered,
                               Duration deliveryDelay) {

    public SubscriptionSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(deliveryDelay, "deliveryDelay");
        if (name.isBlank() || topic.isBlank()) {
            throw new IllegalArgumentException("subscription name and topic must not be blank");
        }
        if (deliveryDelay.isNegative()) {
            throw new IllegalArgumentException("deliveryDelay must not be negative: " + deliveryDelay);
        }
    }

    /** An unordered subscription from {@code latest} with no delay. */
    public static SubscriptionSpec of(String name, String topic) {
        return new SubscriptionSpec(name, topic, StartPosition.LATEST, false, Duration.ZERO);
    }

    /** This spec with another start position. */
    public SubscriptionSpec withStart(StartPosition position) {
        return new SubscriptionSpec(name, topic, position, ordered, deliveryDelay);
    }

    /** This spec with per-key ordering switched on or off. */
    public SubscriptionSpec withOrdering(boolean perKey) {
        return new SubscriptionSpec(name, topic, start, perKey, deliveryDelay);
    }

    /** This spec with a delivery delay. */
    public SubscriptionSpec withDeliveryDelay(Duration delay) {
        return new SubscriptionSpec(name, topic, start, ordered, delay);
    }
}
