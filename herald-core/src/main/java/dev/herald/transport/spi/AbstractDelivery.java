package dev.herald.transport.spi;

import dev.herald.transport.Delivery;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The base of a transport's {@link Delivery}: it holds what every delivery carries and checks the settlement
 * arguments once ({@code nack} needs a non-negative delay; a missing dead-letter error becomes
 * {@code "(no error given)"}), so a transport implements only what settling means for its broker. Settling a
 * delivery its consumer no longer holds (settled already, released by close, or its lease expired) must do
 * nothing.
 */
public abstract class AbstractDelivery implements Delivery {

    /** The error recorded when {@link #deadLetter(String)} is given none. */
    public static final String NO_ERROR_GIVEN = "(no error given)";

    private final CloudEvent event;
    /** The stored structured form, or null when the transport does not keep it. */
    private final byte[] json;
    private final String subscription;
    private final int attempt;
    private final Instant publishedAt;

    /** A delivery of a transport that does not keep the event's structured form: {@link #json()} writes it. */
    protected AbstractDelivery(CloudEvent event, String subscription, int attempt, Instant publishedAt) {
        this(event, null, subscription, attempt, publishedAt);
    }

    /**
     * A delivery of a transport that keeps the event's structured form: {@link #json()} returns it as is.
     *
     * @param json the bytes the event was read from, or null to write them on demand
     */
    protected AbstractDelivery(CloudEvent event, byte[] json, String subscription, int attempt, Instant publishedAt) {
        this.event = Objects.requireNonNull(event, "event");
        this.json = json;
        this.subscription = Objects.requireNonNull(subscription, "subscription");
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be at least 1: " + attempt);
        }
        this.attempt = attempt;
        this.publishedAt = Objects.requireNonNull(publishedAt, "publishedAt");
    }

    @Override
    public final CloudEvent event() {
        return event;
    }

    @Override
    public final byte[] json() {
        return json != null ? json : Delivery.super.json();
    }

    @Override
    public final String subscription() {
        return subscription;
    }

    @Override
    public final int attempt() {
        return attempt;
    }

    @Override
    public final Instant publishedAt() {
        return publishedAt;
    }

    @Override
    public final void ack() {
        settleAck();
    }

    @Override
    public final void nack(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative: " + delay);
        }
        settleNack(delay);
    }

    @Override
    public final void deadLetter(String error) {
        settleDeadLetter(Objects.requireNonNullElse(error, NO_ERROR_GIVEN));
    }

    /** Done: the event is not delivered to this subscription again. */
    protected abstract void settleAck();

    /** Failed: deliver again after {@code delay}, never negative. */
    protected abstract void settleNack(Duration delay);

    /** Given up: move to the dead letters with {@code error}, never null. */
    protected abstract void settleDeadLetter(String error);

    /** Where the transport keeps it, for {@link #toString()}: {@code #42}, {@code 3@1207}. */
    protected abstract String where();

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + subscription + " " + where() + " attempt " + attempt + ", "
                + event.getId() + "]";
    }
}
