package dev.herald.transport.embedded;

import dev.herald.transport.Delivery;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A delivery leased to one consumer; {@code seq} and {@code attempt} identify the lease, which the
 * consumer settles.
 */
record EmbeddedDelivery(EmbeddedConsumer consumer, long seq, CloudEvent event, String subscription, int attempt,
                        Instant publishedAt) implements Delivery {

    @Override
    public void ack() {
        consumer.ack(this);
    }

    @Override
    public void nack(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative: " + delay);
        }
        consumer.nack(this, delay);
    }

    @Override
    public void deadLetter(String error) {
        consumer.deadLetter(this, Objects.requireNonNullElse(error, "(no error given)"));
    }

    @Override
    public String toString() {
        return "EmbeddedDelivery[" + subscription + " #" + seq + " attempt " + attempt + ", " + event.getId() + "]";
    }
}
