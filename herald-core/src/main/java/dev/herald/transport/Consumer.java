package dev.herald.transport;

import java.time.Duration;
import java.util.List;

/**
 * Reads one subscription. Several consumers of one subscription share its work when the transport
 * declares {@link Capability#CONSUMER_GROUPS}. Consumers are used by one polling thread; the
 * deliveries they return may be settled from any thread.
 */
public interface Consumer extends AutoCloseable {

    /**
     * Waits up to {@code timeout} for deliveries and returns at most {@code max} of them; an empty
     * list when none arrived in time. Returns early as soon as at least one is available.
     *
     * @throws InterruptedException when the polling thread is interrupted
     * @throws IllegalStateException when the consumer is closed
     */
    List<Delivery> poll(int max, Duration timeout) throws InterruptedException;

    /**
     * Stops this consumer: once this returns, it receives no more deliveries, and the deliveries it
     * returned and that are still unsettled are released for redelivery (settling them afterwards
     * has no effect).
     */
    @Override
    void close();
}
