package dev.herald.test.badfixture.shipping;

import io.cloudevents.CloudEvent;

/** BREAKS the handler-contract rule: named a subscriber, but implements no handler interface. */
public class LabelSubscriber {

    public void onEvent(CloudEvent event) {
        // prints a label
    }
}
