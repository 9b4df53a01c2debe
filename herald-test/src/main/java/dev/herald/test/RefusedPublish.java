package dev.herald.test;

import dev.herald.event.Violation;
import io.cloudevents.CloudEvent;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A publish the {@link dev.herald.store.EventStore} refused: the event reached
 * {@code EventStore.publish} but was never stored.
 *
 * <p>Why this is recorded: a refusal throws {@code InvalidEventException} at the caller, and when the
 * caller is a subscription's handler the dispatcher turns that exception into a retry — so a handler
 * that publishes an unregistered type, or data its schema rejects, fails silently in a test that only
 * waits for the next event. {@link HeraldExtension} fails such a test with these records.
 *
 * @param event      the event as it reached the store (with the causation and correlation the store added)
 * @param violations why it was refused: each broken envelope or schema rule; empty when the event itself
 *                   was valid and the publish failed for another reason (another event of its batch was
 *                   invalid, or the transport failed)
 */
public record RefusedPublish(CloudEvent event, List<Violation> violations) {

    public RefusedPublish {
        violations = List.copyOf(violations);
    }

    /** The event's type. */
    public String type() {
        return event.getType();
    }

    /** One line: type, id, and the reasons. */
    public String describe() {
        String reasons = violations.isEmpty()
                ? "valid itself; refused with its batch, or the transport failed"
                : violations.stream().map(Violation::toString).collect(Collectors.joining("; "));
        return event.getType() + " " + event.getId() + ": " + reasons;
    }
}
