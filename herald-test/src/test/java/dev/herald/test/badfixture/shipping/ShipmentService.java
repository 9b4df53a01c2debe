package dev.herald.test.badfixture.shipping;

import dev.herald.test.badfixture.billing.InvoiceSubscriber;
import io.cloudevents.CloudEvent;

/**
 * BREAKS the domain rule: shipping calls billing's handler directly instead of publishing
 * {@code shipping.parcel_sent} and letting billing subscribe.
 */
public class ShipmentService {

    public void ship(CloudEvent parcelSent) throws Exception {
        new InvoiceSubscriber().handle(parcelSent);
    }
}
