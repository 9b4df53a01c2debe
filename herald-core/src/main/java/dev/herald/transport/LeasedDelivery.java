package dev.herald.transport;

import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * For transport implementations: a {@link Delivery} leased to one consumer, which settles it. The
 * lease is identified by the event's {@code position} in the subscription and the {@code attempt}, so
 * a consumer can tell a late settlement of an expired lease from a current one.
 *
 * @param settler      the consumer that handed it out and settles it
 * @param position     the transport's position of the delivery within the subscription
 * @param event        the event
 * @param subscription the subscription's name
 * @param attempt      1 for the first delivery
 * @param publishedAt  when the transport stored the event
 */
public record LeasedDelivery(Settler settler, long position, CloudEvent event, String subscription, int attempt,
                             Instant publishedAt) implements Delivery {

    /** What a consumer does when one of its deliveries is settled. */
    public interface Settler {

        /** Done: remove the delivery. */
        void ack(LeasedDelivery delivery);

        /** Failed: deliver again after {@code delay} (never negative). */
        void nack(LeasedDelivery delivery, Duration delay);

        /** Given up: move to the dead letters with {@code error} (never null). */
        void deadLetter(LeasedDelivery delivery, String error);
    }

    @Override
    public void ack() {
        settler.ack(this);
    }

    @Override
    public void nack(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative: " + delay);
        }
        settler.nack(this, delay);
    }

    @Override
    public void deadLetter(String error) {
        settler.deadLetter(this, Objects.requireNonNullElse(error, "(no error given)"));
    }

    @Override
    public String toString() {
        return "Delivery[" + subscription + " #" + position + " attempt " + attempt + ", " + event.getId() + "]";
    }
}
