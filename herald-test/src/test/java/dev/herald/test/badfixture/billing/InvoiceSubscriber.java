package dev.herald.test.badfixture.billing;

import dev.herald.dispatch.EventHandler;
import io.cloudevents.CloudEvent;

/** Billing's handler for shipped parcels. Fine by itself; {@code ShipmentService} misuses it. */
public class InvoiceSubscriber implements EventHandler {

    @Override
    public void handle(CloudEvent event) {
        // sends an invoice
    }
}
