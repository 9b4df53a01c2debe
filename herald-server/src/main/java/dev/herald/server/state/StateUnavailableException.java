package dev.herald.server.state;

/**
 * The server's state database cannot be reached (no connection within the pool's timeout, or the
 * connection broke). Unlike other state failures this is transient: the work was not committed, or its
 * outcome is covered by what it stored (an intake's deduplication keys are committed with its events),
 * so the HTTP layer answers 503 with {@code Retry-After} instead of 500.
 */
public final class StateUnavailableException extends RuntimeException {

    /**
     * @param message what could not be done
     * @param cause   the driver's error
     */
    public StateUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
