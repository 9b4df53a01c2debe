package dev.herald.test;

import io.cloudevents.CloudEvent;
import java.util.Optional;

/**
 * One failed handler attempt seen on a test store: the dispatcher settled a delivery with a retry or
 * a dead letter. Recorded so that an assertion that waits in vain can say why (a handler threw).
 *
 * @param subscription the subscription whose handler failed
 * @param event        the event it was handling
 * @param attempt      the failed attempt, 1 for the first delivery
 * @param deadLettered true when it was the last attempt and the event went to the dead letters
 * @param error        the error stored with the dead letter (a stack trace); empty for a retry, where
 *                     the transport SPI does not carry the error
 */
public record HandlerFailure(String subscription, CloudEvent event, int attempt, boolean deadLettered,
                             Optional<String> error) {

    /** One line: subscription, event, attempt, and the first line of the error when known. */
    public String describe() {
        String what = subscription + " failed on " + event.getType() + " " + event.getId() + " (attempt " + attempt
                + (deadLettered ? ", dead-lettered" : ", will retry") + ")";
        return error.map(e -> what + ": " + e.lines().findFirst().orElse("")).orElse(what);
    }
}
