package dev.herald.transport.memory;

import dev.herald.transport.Delivery;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One hand-out of an entry to a consumer. Settling is a no-op once the delivery no longer holds its
 * entry: already settled, released by its consumer's close, or its subscription deleted.
 */
final class MemoryDelivery implements Delivery {

    private final MemorySubscription subscription;
    /** Copied: the subscription's spec may be replaced concurrently, its name never changes. */
    private final String subscriptionName;
    private final Entry entry;
    private final MemoryConsumer consumer;
    private final long token;
    private final int attempt;

    MemoryDelivery(MemorySubscription subscription, Entry entry, MemoryConsumer consumer, long token, int attempt) {
        this.subscription = subscription;
        this.subscriptionName = subscription.name();
        this.entry = entry;
        this.consumer = consumer;
        this.token = token;
        this.attempt = attempt;
    }

    Entry entry() {
        return entry;
    }

    MemoryConsumer consumer() {
        return consumer;
    }

    long token() {
        return token;
    }

    @Override
    public CloudEvent event() {
        return entry.stored.event();
    }

    @Override
    public String subscription() {
        return subscriptionName;
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public Instant publishedAt() {
        return entry.stored.publishedAt();
    }

    @Override
    public void ack() {
        consumer.settle(this, () -> subscription.ack(entry));
    }

    @Override
    public void nack(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("nack delay must not be negative: " + delay);
        }
        consumer.settle(this, () -> subscription.nack(entry, consumer.now().plus(delay)));
    }

    @Override
    public void deadLetter(String error) {
        Objects.requireNonNull(error, "error");
        consumer.settle(this, () -> subscription.deadLetter(entry, error, consumer.now()));
    }

    @Override
    public String toString() {
        return "MemoryDelivery[" + subscriptionName + " " + event().getId() + " attempt " + attempt + "]";
    }
}
