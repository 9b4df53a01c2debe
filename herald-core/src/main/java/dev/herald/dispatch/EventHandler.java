package dev.herald.dispatch;

import dev.herald.transport.Delivery;
import io.cloudevents.CloudEvent;
import java.util.function.Supplier;

/**
 * A subscriber's code for one event. Returning means done (the event is acknowledged); throwing
 * means failed (the event is retried per the subscription's {@link DeliveryPolicy}, then
 * dead-lettered). Handlers must tolerate seeing an event twice: delivery is at least once, and
 * {@link CloudEvent#getId()} identifies duplicates.
 */
@FunctionalInterface
public interface EventHandler {

    /** Handles one event. */
    void handle(CloudEvent event) throws Exception;

    /**
     * Handles one event offered with its CloudEvents JSON structured form, for handlers that pass the
     * event on as bytes (a webhook body) rather than read it: where the transport stored that form,
     * {@code json} hands back the stored bytes ({@link Delivery#json()}), so the event is not
     * serialised again. The dispatcher calls this method; the default ignores the bytes.
     *
     * @param json the event's structured form, written only when asked for where the transport keeps
     *             none; the array is shared and must not be modified
     */
    default void handle(CloudEvent event, Supplier<byte[]> json) throws Exception {
        handle(event);
    }
}
