package dev.herald.transport.memory;

import io.cloudevents.CloudEvent;
import java.time.Instant;

/**
 * An event as a topic keeps it.
 *
 * @param offset      position in its topic, from 0
 * @param event       the event as published
 * @param publishedAt when the broker stored it; never earlier than the previous event's
 * @param key         the ordering key, or {@code null} when the event has none
 */
record StoredEvent(long offset, CloudEvent event, Instant publishedAt, String key) {
}
