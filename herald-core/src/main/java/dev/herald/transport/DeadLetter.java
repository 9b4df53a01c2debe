package dev.herald.transport;

import io.cloudevents.CloudEvent;
import java.time.Instant;

/**
 * An event a subscription gave up on, with why and when.
 *
 * @param id             identifies the dead letter within its subscription (for redrive and discard)
 * @param subscription   the subscription that gave up
 * @param event          the event as published
 * @param attempts       how many deliveries were attempted
 * @param lastError      the error of the last attempt
 * @param firstAttemptAt when the event was first delivered to the subscription
 * @param deadAt         when it was dead-lettered
 */
public record DeadLetter(String id, String subscription, CloudEvent event, int attempts, String lastError,
                         Instant firstAttemptAt, Instant deadAt) {
}
