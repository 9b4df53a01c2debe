package dev.herald.transport;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The broker SPI. A transport stores and delivers events; it never parses {@code data} or applies
 * business rules, and the core never speaks a broker protocol. Every transport passes the
 * conformance kit ({@code herald-tck}) for the capabilities it declares.
 *
 * <p>Every transport must: publish durably (return only once the events are stored as durably as
 * the transport can), keep durable named subscriptions that each receive every event of their topic
 * (fan-out), deliver at least once with ack / nack-after-delay, honour a subscription's delivery
 * delay, keep each subscription's dead letters, and redeliver whatever was not settled when a
 * consumer closed or a process died. Implementations are thread-safe.
 */
public interface Transport extends AutoCloseable {

    /** A short name for logs and metrics: {@code memory}, {@code embedded}, {@code kafka}, … */
    String name();

    /** What this transport can do beyond the basics. */
    Set<Capability> capabilities();

    /**
     * Appends events to a topic and returns once they are durable. With
     * {@link Capability#ATOMIC_BATCH}, either all events of the call are stored or none.
     *
     * <p>The events come validated and encoded by the core ({@link EncodedEvent}): a transport stores
     * their given bytes (or, for a binary-mode broker, their attributes and data) and orders by their
     * given key; it does not serialise them again or derive a key of its own.
     *
     * @throws TransportException when the events could not be stored; none is then acknowledged
     */
    void publish(String topic, List<EncodedEvent> events);

    /**
     * Creates the subscription if it does not exist (starting at {@code spec.start()}), or updates
     * an existing one's ordering and delivery delay keeping its position. Idempotent.
     */
    void createSubscription(SubscriptionSpec spec);

    /** The stored definition of a subscription, if it exists. */
    Optional<SubscriptionSpec> subscription(String name);

    /** Deletes a subscription with its position, pending deliveries and dead letters. Idempotent. */
    void deleteSubscription(String name);

    /**
     * Opens a consumer of an existing subscription.
     *
     * @throws IllegalArgumentException when the subscription does not exist
     */
    Consumer openConsumer(String subscription);

    /**
     * Moves a subscription to a new position (replay). Needs {@link Capability#REPLAY}; in-flight
     * deliveries are left to settle, pending retries are dropped.
     *
     * @throws UnsupportedOperationException without the capability
     */
    void seek(String subscription, StartPosition position);

    /** The subscription's backlog and dead-letter count. */
    SubscriptionStats stats(String subscription);

    /** The subscription's dead letters, oldest first, at most {@code limit} after {@code afterId}. */
    List<DeadLetter> deadLetters(String subscription, String afterIdOrNull, int limit);

    /** Puts dead letters back into the subscription for a fresh round of attempts; returns how many. */
    int redrive(String subscription, List<String> deadLetterIds);

    /** Removes dead letters for good; returns how many. */
    int discard(String subscription, List<String> deadLetterIds);

    /**
     * Reads one page of a topic's stored events: those after {@code query.after()} that pass its filter,
     * oldest first, at most {@code query.limit()}. Feed the page's {@link LogPage#cursor()} back in to
     * read on; a page's cursor continues after every event the page examined, so nothing is returned
     * twice and nothing stored is skipped, also when writers commit out of order. A transport with one
     * log order (a sequence) returns events in publish order; a partitioned one keeps publish order
     * within a partition (so per ordering key) and merges partitions by publish time. Events removed
     * by retention are skipped; an unknown topic reads as empty. Needs {@link Capability#QUERY}.
     *
     * @throws UnsupportedOperationException without the capability
     * @throws InvalidCursorException        when {@code query.after()} is not a cursor of this transport
     */
    default LogPage query(LogQuery query) {
        throw new UnsupportedOperationException("the " + name() + " transport cannot read its stored events");
    }

    /** Releases connections and threads; consumers still open are closed first. */
    @Override
    void close();
}
