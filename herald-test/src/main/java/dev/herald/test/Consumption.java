package dev.herald.test;

import io.cloudevents.CloudEvent;
import java.util.List;
import java.util.Optional;

/**
 * What happened when one subscription was handed one event by {@link Subscribers#deliver}.
 *
 * @param subscription the subscription
 * @param event        the event handed to it
 * @param outcome      whether the handler ran and how it ended
 * @param failure      the handler's failure (a stack trace) when the outcome is {@link Outcome#FAILED}
 * @param published    the events the handler published while handling it, in publish order
 */
public record Consumption(String subscription, CloudEvent event, Outcome outcome, Optional<String> failure,
                          List<CloudEvent> published) {

    /** How a handed event ended. */
    public enum Outcome {
        /** The handler returned: the dispatcher would acknowledge the event. */
        HANDLED,
        /** The subscription's filter rejected the event: the handler was not called. */
        FILTERED,
        /** The handler threw: the dispatcher would retry the event, then dead-letter it. */
        FAILED
    }

    public Consumption {
        published = List.copyOf(published);
    }
}
