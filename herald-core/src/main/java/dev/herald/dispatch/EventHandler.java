package dev.herald.dispatch;

import io.cloudevents.CloudEvent;

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
}
