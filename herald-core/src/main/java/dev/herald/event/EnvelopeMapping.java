package dev.herald.event;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A compatibility rewrite of a structured event's JSON, applied at intake before the event is read as
 * a CloudEvent: for producers whose envelopes break a CloudEvents rule Herald cannot relax (GitLab's
 * {@code Gitlab::EventStore::CloudEvent} names its extensions {@code gitlab_user_id}, which the
 * attribute naming rule refuses), so their events can be stored as valid CloudEvents without changing
 * the producer.
 *
 * <p>A mapping only touches events it {@linkplain #applies recognises}; every other event is read
 * exactly as sent. Implementations are found by the server through {@link java.util.ServiceLoader} or
 * given to {@link JsonEvents#withMappings}.
 */
public interface EnvelopeMapping {

    /** A short name for configuration and logs, e.g. {@code gitlab}. */
    String name();

    /** Whether {@code event} (a JSON object) is one this mapping rewrites. */
    boolean applies(ObjectNode event);

    /**
     * Rewrites {@code event} in place into a CloudEvents envelope Herald accepts.
     *
     * @return every rule of the producer's own envelope the event breaks, naming the attribute; empty
     *         when the event was mapped. The event is refused when this is not empty.
     */
    List<Violation> map(ObjectNode event);
}
