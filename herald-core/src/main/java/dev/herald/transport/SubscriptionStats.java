package dev.herald.transport;

/**
 * A subscription's backlog, as far as the transport can tell cheaply.
 *
 * @param backlog            events not yet acknowledged (waiting, in flight or waiting for a retry)
 * @param inFlight           events handed to a consumer and not yet settled
 * @param deadLetters        events in the dead-letter store
 * @param droppedByRetention events the transport's retention removed before this subscription was done
 *                           with them (a hard size limit reached while it lagged), since it was created;
 *                           always 0 on a transport whose retention never drops a backlog
 */
public record SubscriptionStats(long backlog, long inFlight, long deadLetters, long droppedByRetention) {

    /** Stats of a transport whose retention never drops a subscription's backlog. */
    public SubscriptionStats(long backlog, long inFlight, long deadLetters) {
        this(backlog, inFlight, deadLetters, 0);
    }
}
