package dev.herald.transport.pubsub;

import dev.herald.transport.spi.AbstractDelivery;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.time.Instant;

/** A message handed out by a {@link PubSubConsumer}, settled through it by its ack id. */
final class PubSubDelivery extends AbstractDelivery {

    private final PubSubConsumer consumer;
    private final PubSubConsumer.Leased leased;

    PubSubDelivery(PubSubConsumer consumer, PubSubConsumer.Leased leased, CloudEvent event, String subscription,
                   int attempt, Instant publishedAt) {
        super(event, subscription, attempt, publishedAt);
        this.consumer = consumer;
        this.leased = leased;
    }

    @Override
    protected void settleAck() {
        consumer.ack(leased);
    }

    @Override
    protected void settleNack(Duration delay) {
        consumer.nack(leased, delay);
    }

    @Override
    protected void settleDeadLetter(String error) {
        consumer.deadLetter(leased, error);
    }

    @Override
    protected String where() {
        return "message " + leased.messageId();
    }
}
