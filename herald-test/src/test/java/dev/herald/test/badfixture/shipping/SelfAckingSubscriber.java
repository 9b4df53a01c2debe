package dev.herald.test.badfixture.shipping;

import dev.herald.dispatch.EventHandler;
import dev.herald.event.Provenance;
import dev.herald.transport.Delivery;
import io.cloudevents.CloudEvent;

/**
 * BREAKS the plumbing rule: a handler that settles deliveries and opens provenance scopes itself,
 * bypassing the dispatcher's retries, dead letters and causation.
 */
public class SelfAckingSubscriber implements EventHandler {

    @Override
    public void handle(CloudEvent event) throws Exception {
        Provenance.handling(event, () -> null);
    }

    void settle(Delivery delivery) {
        delivery.ack();
    }
}
