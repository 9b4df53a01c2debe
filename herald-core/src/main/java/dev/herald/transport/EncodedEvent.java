package dev.herald.transport;

import dev.herald.event.HeraldAttributes;
import dev.herald.event.JsonEvents;
import io.cloudevents.CloudEvent;
import java.util.List;
import java.util.Objects;

/**
 * One event as the core hands it to a {@link Transport}: the event, its CloudEvents JSON structured
 * form, and its ordering key. The core validates an event, serialises it once (the bytes that measured
 * its size against the envelope rules) and derives its ordering key once; a transport stores or sends
 * what it is given and neither re-encodes the event nor applies Herald's ordering rule itself. An event
 * read from JSON ({@link JsonEvents#readEncodedEvent}) is not serialised at all when the producer's
 * bytes of it can be stored as they came.
 *
 * <p>{@code json} is shared, not copied: nobody may modify the array once the record holds it.
 *
 * @param event       the event, with every attribute as published
 * @param json        the event in the structured JSON format ({@value JsonEvents#STRUCTURED}), as
 *                    {@link JsonEvents#write} writes it or as {@link JsonEvents} read it (the same
 *                    attributes and data, the producer's spacing and member order); never empty
 * @param orderingKey the key that orders the event relative to others of its topic
 *                    ({@link HeraldAttributes#orderingKey}), or null when the event is unordered
 */
public record EncodedEvent(CloudEvent event, byte[] json, String orderingKey) {

    /** @throws IllegalArgumentException when the event or its bytes are missing */
    public EncodedEvent {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(json, "json");
        if (json.length == 0) {
            throw new IllegalArgumentException("json: the structured form of event " + event.getId()
                    + " must not be empty");
        }
    }

    /** Encodes an event: serialises it and derives its ordering key. */
    public static EncodedEvent of(CloudEvent event) {
        return of(event, JsonEvents.write(event));
    }

    /**
     * An event with its structured form already at hand (written by {@link JsonEvents#write}, or read
     * by {@link JsonEvents}), so it is not serialised again.
     */
    public static EncodedEvent of(CloudEvent event, byte[] json) {
        return new EncodedEvent(event, json, HeraldAttributes.orderingKey(event).orElse(null));
    }

    /** Encodes each event, in order. */
    public static List<EncodedEvent> all(List<CloudEvent> events) {
        return events.stream().map(EncodedEvent::of).toList();
    }

    /** The events alone, in order. */
    public static List<CloudEvent> events(List<EncodedEvent> encoded) {
        return encoded.stream().map(EncodedEvent::event).toList();
    }

    /** The ordering key, or {@code ""} for an unordered event: for brokers whose key is a non-null string. */
    public String orderingKeyOrEmpty() {
        return orderingKey == null ? "" : orderingKey;
    }

    /** Equal when the events are equal: the bytes and key are derived from the event. */
    @Override
    public boolean equals(Object other) {
        return other instanceof EncodedEvent that && event.equals(that.event);
    }

    @Override
    public int hashCode() {
        return event.hashCode();
    }

    @Override
    public String toString() {
        return "EncodedEvent[id=" + event.getId() + ", type=" + event.getType() + ", " + json.length
                + " bytes, orderingKey=" + orderingKey + "]";
    }
}
