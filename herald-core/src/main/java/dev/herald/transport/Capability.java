package dev.herald.transport;

/**
 * What a transport can do beyond the basics every transport must offer (durable publish, durable
 * named subscriptions, fan-out, ack and nack with delay, dead letters). The conformance kit runs a
 * capability's tests only on transports that declare it, and a transport that declares one must
 * pass them.
 */
public enum Capability {
    /**
     * Per ordering key, deliveries of one subscription follow publish order: a delivery of key K is
     * handed out only after every earlier delivery of K was acknowledged or dead-lettered, so a
     * failing event holds back its own key and no other.
     */
    ORDERING,
    /** A subscription can be created from {@code earliest} or a timestamp, and rewound with seek. */
    REPLAY,
    /** Delayed delivery (subscription delivery delay, nack delay) is done by the broker, not emulated. */
    NATIVE_DELAY,
    /** The broker evaluates filters before delivery. */
    NATIVE_FILTERING,
    /** Publish can join a caller's transaction (transactional outbox). */
    TRANSACTIONS,
    /** Several consumers of one subscription share its work without handling one event twice at once. */
    CONSUMER_GROUPS,
    /** A batch publish is atomic: all events of the batch become visible, or none. */
    ATOMIC_BATCH,
    /** Published events survive a restart of the broker or Herald process. */
    DURABLE,
    /**
     * A topic's stored events can be read back, filtered, page by page ({@link Transport#query}),
     * independently of any subscription: what the server's event query and browsing tools use.
     */
    QUERY
}
