package dev.herald.transport;

import dev.herald.event.JsonEvents;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.time.Instant;

/**
 * One event handed to one consumer of a subscription. Exactly one of {@link #ack()},
 * {@link #nack(Duration)} or {@link #deadLetter(String)} settles it; until then the event is in
 * flight and (on an ordered subscription) holds back later events of its key. A delivery left
 * unsettled when its consumer closes, or when the process dies, is delivered again.
 */
public interface Delivery {

    /** The event, with every attribute and its data exactly as published. */
    CloudEvent event();

    /**
     * The event in the CloudEvents JSON structured format ({@value JsonEvents#STRUCTURED}), for callers
     * that pass it on as bytes (a webhook body, a pull response) rather than read it. A transport that
     * stores the structured form returns the stored bytes, so nothing is serialised again; the default
     * serialises {@link #event()}. Either way the bytes parse back to an event equal to {@link #event()}.
     * The array may be shared: callers must not modify it.
     */
    default byte[] json() {
        return JsonEvents.write(event());
    }

    /** The subscription this delivery belongs to. */
    String subscription();

    /** 1 on the first delivery of this event to this subscription, then 2, 3, … after each nack. */
    int attempt();

    /** When the transport stored the event. */
    Instant publishedAt();

    /** Done: the event will not be delivered to this subscription again. */
    void ack();

    /** Failed: deliver again, to any consumer of the subscription, no earlier than after {@code delay}. */
    void nack(Duration delay);

    /**
     * Gives up: moves the event to the subscription's dead letters with the last error, and settles
     * it. Later events of its key are released.
     */
    void deadLetter(String error);
}
