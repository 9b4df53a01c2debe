package dev.herald.transport;

/**
 * A subscription's backlog, as far as the transport can tell cheaply.
 *
 * @param backlog     events not yet acknowledged (waiting, in flight or waiting for a retry)
 * @param inFlight    events handed to a consumer and not yet settled
 * @param deadLetters events in the dead-letter store
 */
public record SubscriptionStats(long backlog, long inFlight, long deadLetters) {
}
