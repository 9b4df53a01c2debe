package dev.herald.dispatch;

/** How one dispatch attempt ended. */
public enum Outcome {
    /** The handler returned; the event was acknowledged. */
    ACKED,
    /** The event did not pass the subscription's filter; acknowledged without calling the handler. */
    FILTERED,
    /** The handler failed; the event will be delivered again after a backoff. */
    RETRYING,
    /** The handler failed on the last allowed attempt; the event went to the dead letters. */
    DEAD_LETTERED
}
