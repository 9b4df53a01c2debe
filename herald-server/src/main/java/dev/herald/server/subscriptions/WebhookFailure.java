package dev.herald.server.subscriptions;

/**
 * A failed webhook attempt, thrown from the delivery handler so that the dispatcher retries with
 * backoff and finally dead-letters the event. It has no stack trace: the message is what the dead
 * letter's {@code lastError} shows.
 */
final class WebhookFailure extends Exception {

    private static final long serialVersionUID = 1L;

    WebhookFailure(String message) {
        super(message, null, false, false);
    }

    @Override
    public String toString() {
        return getMessage();
    }
}
