package dev.herald.transport.memory;

import dev.herald.transport.spi.AbstractDelivery;
import java.time.Duration;

/**
 * One hand-out of an entry to a consumer. Settling is a no-op once the delivery no longer holds its
 * entry: already settled, released by its consumer's close, or its subscription deleted.
 */
final class MemoryDelivery extends AbstractDelivery {

    private final MemorySubscription subscription;
    private final Entry entry;
    private final MemoryConsumer consumer;
    private final long token;

    MemoryDelivery(MemorySubscription subscription, Entry entry, MemoryConsumer consumer, long token, int attempt) {
        // The name is copied: the subscription's spec may be replaced concurrently, its name never changes.
        super(entry.stored.event(), entry.stored.encoded().json(), subscription.name(), attempt,
                entry.stored.publishedAt());
        this.subscription = subscription;
        this.entry = entry;
        this.consumer = consumer;
        this.token = token;
    }

    Entry entry() {
        return entry;
    }

    MemoryConsumer consumer() {
        return consumer;
    }

    long token() {
        return token;
    }

    @Override
    protected void settleAck() {
        consumer.settle(this, () -> subscription.ack(entry));
    }

    @Override
    protected void settleNack(Duration delay) {
        consumer.settle(this, () -> subscription.nack(entry, consumer.now().plus(delay)));
    }

    @Override
    protected void settleDeadLetter(String error) {
        consumer.settle(this, () -> subscription.deadLetter(entry, error, consumer.now()));
    }

    @Override
    protected String where() {
        return "token " + token;
    }
}
