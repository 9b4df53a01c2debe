package dev.herald.transport;

import io.cloudevents.CloudEvent;
import java.time.Instant;
import java.util.Objects;

/**
 * One stored event as {@link Transport#query} returns it.
 *
 * @param position    where the transport stores the event, in its own terms ({@code 42} for a sequence
 *                    number, {@code 3@1057} for a Kafka partition and offset): stable for as long as
 *                    the event is stored, and shown to people; not a cursor
 * @param publishedAt when the transport stored it
 * @param event       the event as published
 */
public record LogEntry(String position, Instant publishedAt, CloudEvent event) {

    public LogEntry {
        if (position == null || position.isBlank()) {
            throw new IllegalArgumentException("a stored event has a position");
        }
        Objects.requireNonNull(publishedAt, "publishedAt");
        Objects.requireNonNull(event, "event");
    }
}
