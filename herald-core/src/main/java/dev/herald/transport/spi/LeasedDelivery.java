package dev.herald.transport.spi;

import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.time.Instant;

/**
 * A delivery leased to one consumer, which settles it; the SQL transports' delivery. The lease is identified by
 * the event's {@link #position()} in the subscription and the {@link #attempt()}, so a consumer can tell a late
 * settlement of an expired lease from a current one.
 */
public final class LeasedDelivery extends AbstractDelivery {

    /** What a consumer does when one of its deliveries is settled. */
    public interface Settler {

        /** Done: remove the delivery. */
        void ack(LeasedDelivery delivery);

        /** Failed: deliver again after {@code delay} (never negative). */
        void nack(LeasedDelivery delivery, Duration delay);

        /** Given up: move to the dead letters with {@code error} (never null). */
        void deadLetter(LeasedDelivery delivery, String error);
    }

    private final Settler settler;
    private final long position;

    /**
     * A lease.
     *
     * @param settler      the consumer that handed it out and settles it
     * @param position     the transport's position of the delivery within the subscription
     * @param event        the event
     * @param json         the stored structured form {@code event} was read from, or null
     * @param subscription the subscription's name
     * @param attempt      1 for the first delivery
     * @param publishedAt  when the transport stored the event
     */
    public LeasedDelivery(Settler settler, long position, CloudEvent event, byte[] json, String subscription,
                          int attempt, Instant publishedAt) {
        super(event, json, subscription, attempt, publishedAt);
        this.settler = settler;
        this.position = position;
    }

    /** The transport's position of the delivery within the subscription. */
    public long position() {
        return position;
    }

    @Override
    protected void settleAck() {
        settler.ack(this);
    }

    @Override
    protected void settleNack(Duration delay) {
        settler.nack(this, delay);
    }

    @Override
    protected void settleDeadLetter(String error) {
        settler.deadLetter(this, error);
    }

    @Override
    protected String where() {
        return "#" + position;
    }
}
