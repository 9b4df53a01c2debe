package dev.herald.transport;

import io.cloudevents.CloudEvent;
import java.time.Instant;
import java.util.Objects;

/**
 * One stored event as {@link Transport#read} returns it.
 *
 * @param position    the event's position in its topic: positive, increasing in publish order
 * @param publishedAt when the transport stored it; never earlier than the entry before it
 * @param event       the event as published
 */
public record LogEntry(long position, Instant publishedAt, CloudEvent event) {

    public LogEntry {
        if (position <= 0) {
            throw new IllegalArgumentException("positions are positive: " + position);
        }
        Objects.requireNonNull(publishedAt, "publishedAt");
        Objects.requireNonNull(event, "event");
    }
}
