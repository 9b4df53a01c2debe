package dev.herald.transport.postgres;

import dev.herald.transport.Delivery;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A delivery leased to one consumer; {@code pos} and {@code attempt} identify the lease, which the
 * consumer settles.
 */
record PostgresDelivery(PostgresConsumer consumer, long pos, CloudEvent event, String subscription, int attempt,
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
        return "PostgresDelivery[" + subscription + " #" + pos + " attempt " + attempt + ", " + event.getId() + "]";
    }
}
