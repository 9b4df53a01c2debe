package dev.herald.transport.nsq;

import dev.herald.transport.spi.AbstractDelivery;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.time.Instant;

/** A message of a channel handed to a consumer; settled with FIN, REQ, or a dead letter then FIN. */
final class NsqDelivery extends AbstractDelivery {

    private final NsqConsumer consumer;
    private final NsqConsumer.Pending pending;

    NsqDelivery(NsqConsumer consumer, NsqConsumer.Pending pending, CloudEvent event, String subscription, int attempt,
                Instant publishedAt) {
        super(event, pending.event(), subscription, attempt, publishedAt);
        this.consumer = consumer;
        this.pending = pending;
    }

    @Override
    protected void settleAck() {
        consumer.ack(pending);
    }

    @Override
    protected void settleNack(Duration delay) {
        consumer.nack(pending, delay);
    }

    @Override
    protected void settleDeadLetter(String error) {
        consumer.deadLetter(this, pending, error);
    }

    @Override
    protected String where() {
        return pending.message().id();
    }
}
