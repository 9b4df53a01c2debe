package dev.herald.test.badfixture.billing;

import dev.herald.event.EventBuilder;
import dev.herald.filter.Filter;
import dev.herald.store.EventStore;
import dev.herald.store.SubscribeOptions;

/** BREAKS the event-type rules: it publishes and subscribes to types the built-in catalog lacks. */
public class Invoicing {

    static final String INVOICE_SENT = "billing.invoice_sent";

    private final EventStore store;

    public Invoicing(EventStore store) {
        this.store = store;
    }

    public void start() {
        store.subscribe("billing.invoice_on_shipment", new InvoiceSubscriber(),
                SubscribeOptions.forTypes("shipping.parcel_sent"));
        store.subscribe("billing.audit", event -> { }, SubscribeOptions.defaults().filter(Filter.prefix("type", "billing.")));
    }

    public void sendInvoice() {
        store.publish(EventBuilder.create(store.schemas()).type(INVOICE_SENT).source("/billing").data("{}").build());
    }

    /** Registered: not a violation. */
    public void announceProjectDeletion() {
        store.publish(EventBuilder.create(store.schemas()).type("projects.project.deleted").source("/billing")
                .data("{}").build());
    }
}
