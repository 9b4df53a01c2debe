package dev.herald.transport.memory;

import dev.herald.transport.EncodedEvent;
import io.cloudevents.CloudEvent;
import java.time.Instant;

/**
 * An event as a topic keeps it.
 *
 * @param offset      position in its topic, from 0
 * @param encoded     the event as published, with its structured form and ordering key
 * @param publishedAt when the broker stored it; never earlier than the previous event's
 */
record StoredEvent(long offset, EncodedEvent encoded, Instant publishedAt) {

    CloudEvent event() {
        return encoded.event();
    }

    /** The ordering key, or {@code null} when the event has none. */
    String key() {
        return encoded.orderingKey();
    }
}
