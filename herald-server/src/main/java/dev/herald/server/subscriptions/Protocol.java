package dev.herald.server.subscriptions;

/** How a subscription's events leave Herald. */
public enum Protocol {
    /** Pushed to the sink URL as webhooks (CloudEvents HTTP binding, Standard Webhooks signatures). */
    HTTP,
    /** Pulled by clients over Server-Sent Events from {@code /v1/subscriptions/{id}/stream}, with explicit acks. */
    PULL
}
