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
    private final Inbox.Received received;
    private final Instant firstAttemptAt;
    private final long generation;
    private final AtomicBoolean settled = new AtomicBoolean();

    RabbitMqDelivery(RabbitMqConsumer consumer, Inbox.Received received, CloudEvent event, String subscription,
                     long generation) {
        super(event, received.body(), subscription, received.attempt(), Messages.publishedAt(received.props()));
        this.consumer = consumer;
        this.received = received;
        this.firstAttemptAt = received.firstAttemptAt() != null ? received.firstAttemptAt()
                : Messages.instant(received.props(), Messages.FIRST_ATTEMPT_AT).orElse(received.at());
        this.generation = generation;
    }

    Inbox.Received received() {
        return received;
    }

    long tag() {
        return received.tag();
    }

    AMQP.BasicProperties props() {
        return received.props();
    }

    byte[] body() {
        return received.body();
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
        return "tag " + received.tag();
    }
}
