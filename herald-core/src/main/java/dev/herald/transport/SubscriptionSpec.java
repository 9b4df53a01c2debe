package dev.herald.transport;

import java.time.Duration;
import java.util.Objects;

/**
 * What a transport must know to keep a durable subscription: its name, the topic it reads, where a
 * new subscription starts, whether deliveries are ordered per key, a delivery delay, and the part of
 * its filter a broker may evaluate.
 *
 * @param name          unique per transport; names a durable position and dead-letter store
 * @param topic         the topic whose events the subscription receives (fan-out: every subscription
 *                      of a topic receives every event)
 * @param start         where a newly created subscription starts; ignored when it already exists
 * @param ordered       deliver per ordering key in publish order (needs {@link Capability#ORDERING})
 * @param deliveryDelay no event is delivered earlier than its publish time plus this delay
 * @param filter        what a transport declaring {@link Capability#NATIVE_FILTERING} lets its broker
 *                      evaluate, so that events it rejects are never delivered; others ignore it. The core
 *                      applies the subscription's full filter to every delivery either way. Transports that
 *                      do not filter natively need not store it: their stored definition may show
 *                      {@link NativeFilter#ALL}
 */
public record SubscriptionSpec(String name, String topic, StartPosition start, boolean ordered,
                               Duration deliveryDelay, NativeFilter filter) {

    public SubscriptionSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(deliveryDelay, "deliveryDelay");
        Objects.requireNonNull(filter, "filter");
        if (name.isBlank() || topic.isBlank()) {
            throw new IllegalArgumentException("subscription name and topic must not be blank");
        }
        if (deliveryDelay.isNegative()) {
            throw new IllegalArgumentException("deliveryDelay must not be negative: " + deliveryDelay);
        }
    }

    /** A subscription without a native filter. */
    public SubscriptionSpec(String name, String topic, StartPosition start, boolean ordered, Duration deliveryDelay) {
        this(name, topic, start, ordered, deliveryDelay, NativeFilter.ALL);
    }

    /** An unordered subscription from {@code latest} with no delay and no native filter. */
    public static SubscriptionSpec of(String name, String topic) {
        return new SubscriptionSpec(name, topic, StartPosition.LATEST, false, Duration.ZERO);
    }

    /** This spec with another start position. */
    public SubscriptionSpec withStart(StartPosition position) {
        return new SubscriptionSpec(name, topic, position, ordered, deliveryDelay, filter);
    }

    /** This spec with per-key ordering switched on or off. */
    public SubscriptionSpec withOrdering(boolean perKey) {
        return new SubscriptionSpec(name, topic, start, perKey, deliveryDelay, filter);
    }

    /** This spec with a delivery delay. */
    public SubscriptionSpec withDeliveryDelay(Duration delay) {
        return new SubscriptionSpec(name, topic, start, ordered, delay, filter);
    }

    /** This spec with another native filter ({@link NativeFilter#ALL} for none). */
    public SubscriptionSpec withFilter(NativeFilter value) {
        return new SubscriptionSpec(name, topic, start, ordered, deliveryDelay, value);
    }
}
