package dev.herald.transport.rabbitmq;

import com.rabbitmq.client.AMQP;
import dev.herald.transport.spi.AbstractDelivery;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One message of a subscription's queue, held unacknowledged by the consumer that received it until it is
 * settled once; a second settlement does nothing.
 */
final class RabbitMqDelivery extends AbstractDelivery {

    private final RabbitMqConsumer consumer;
    private final long tag;
    private final AMQP.BasicProperties props;
    private final byte[] body;
    private final Instant firstAttemptAt;
    private final long generation;
    private final AtomicBoolean settled = new AtomicBoolean();

    RabbitMqDelivery(RabbitMqConsumer consumer, long tag, AMQP.BasicProperties props, byte[] body, CloudEvent event,
                     String subscription, Instant receivedAt, long generation) {
        super(event, subscription, Messages.attempt(props), Messages.publishedAt(props));
        this.consumer = consumer;
        this.tag = tag;
        this.props = props;
        this.body = body;
        this.firstAttemptAt = Messages.instant(props, Messages.FIRST_ATTEMPT_AT).orElse(receivedAt);
        this.generation = generation;
    }

    long tag() {
        return tag;
    }

    AMQP.BasicProperties props() {
        return props;
    }

    byte[] body() {
        return body;
    }

    Instant firstAttemptAt() {
        return firstAttemptAt;
    }

    /** The subscription's generation when this was received (see {@link Registry.Definition#generation()}). */
    long generation() {
        return generation;
    }

    @Override
    protected void settleAck() {
        if (settled.compareAndSet(false, true)) {
            consumer.ack(this);
        }
    }

    @Override
    protected void settleNack(Duration delay) {
        if (settled.compareAndSet(false, true)) {
            consumer.nack(this, delay);
        }
    }

    @Override
    protected void settleDeadLetter(String error) {
        if (settled.compareAndSet(false, true)) {
            consumer.deadLetter(this, error);
        }
    }

    @Override
    protected String where() {
        return "tag " + tag;
    }
}
