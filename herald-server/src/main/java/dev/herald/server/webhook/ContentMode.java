package dev.herald.server.webhook;

import java.util.Locale;

/** How an event travels in an HTTP request (CloudEvents HTTP protocol binding). */
public enum ContentMode {
    /** Attributes as {@code ce-*} headers, the body is the event's data (the default). */
    BINARY,
    /** The whole event as {@code application/cloudevents+json} in the body. */
    STRUCTURED;

    /** The lowercase name used in the API. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
