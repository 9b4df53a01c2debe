package dev.herald.transport.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.herald.transport.Delivery;
import dev.herald.transport.TopicSignals;
import dev.herald.transport.TransportException;
import dev.herald.transport.spi.PollingConsumer;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer of a subscription's quorum queue on a channel of its own: the broker pushes up to the prefetch
 * limit, {@link #poll} hands them out, and {@link #close()} closes the channel, which returns every message not
 * acknowledged to the queue for redelivery.
 *
 * <p>Settling: an ack is a {@code basic.ack}. A nack re-publishes a copy (attempt + 1) into the subscription's
 * retry queue for that delay, or straight into its queue without one, and acknowledges the original once the
 * copy is confirmed. A dead letter is a copy with the error in the dead-letter queue, then the ack. A crash in
 * between leaves both, so the event may come twice but is never lost.
 */
final class RabbitMqConsumer extends PollingConsumer<List<Delivery>> {

    private static final Logger LOG = LoggerFactory.getLogger(RabbitMqConsumer.class);

    private record Received(long tag, AMQP.BasicProperties props, byte[] body, Instant at) {
    }

    private final Channel channel;
    private final Names names;
    private final Publisher publisher;
    private final Topology topology;
    private final LongSupplier generation;
    private final TopicSignals.Signal signal;
    private final ReentrantLock channelLock = new ReentrantLock();
    private final ConcurrentLinkedQueue<Received> buffer = new ConcurrentLinkedQueue<>();
    private final Map<Long, RabbitMqDelivery> outstanding = new ConcurrentHashMap<>();
    private final Runnable onClose;

    private RabbitMqConsumer(String subscription, TopicSignals.Signal signal, Channel channel, Names names,
                             Publisher publisher, Topology topology, LongSupplier generation, Runnable onClose) {
        super(subscription, signal);
        this.signal = signal;
        this.channel = channel;
        this.names = names;
        this.publisher = publisher;
        this.topology = topology;
        this.generation = generation;
        this.onClose = onClose;
    }

    /** Opens a channel and starts consuming the subscription's queue. */
    static RabbitMqConsumer open(com.rabbitmq.client.Connection connection, String subscription, Names names,
                                 Publisher publisher, Topology topology, LongSupplier generation, int prefetch,
                                 Runnable onClose) {
        Channel channel = null;
        try {
            channel = connection.createChannel();
            channel.basicQos(prefetch);
            RabbitMqConsumer consumer = new RabbitMqConsumer(subscription, new TopicSignals.Signal(), channel, names,
                    publisher, topology, generation, onClose);
            channel.basicConsume(names.queue(subscription), false, consumer.new Receiver(channel));
            return consumer;
        } catch (IOException e) {
            if (channel != null) {
                Publisher.closeQuietly(channel);
            }
            throw new TransportException("cannot consume subscription " + subscription + ": "
                    + Topology.rootMessage(e), e);
        }
    }

    private final class Receiver extends DefaultConsumer {
        Receiver(Channel channel) {
            super(channel);
        }

        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
            if (isClosed()) {
                return; // the channel closes and returns it
            }
            buffer.add(new Received(envelope.getDeliveryTag(), props, body, Instant.now()));
            signal.raise();
        }
    }

    @Override
    protected List<Delivery> lease(int max) {
        List<Delivery> batch = new ArrayList<>();
        long current = generation.getAsLong();
        for (Received received = buffer.poll(); received != null; received = batch.size() < max ? buffer.poll() : null) {
            if (Messages.number(received.props(), Messages.GENERATION).orElse(current) < current) {
                // A retry from before a seek: seek drops pending retries.
                basicAck(received.tag());
                continue;
            }
            CloudEvent event;
            try {
                event = Messages.event(received.body());
            } catch (RuntimeException e) {
                LOG.warn("subscription {}: message {} is not a CloudEvent, rejected to the dead letters: {}",
                        subscriptionName(), received.props().getMessageId(), e.toString());
                long tag = received.tag();
                withChannel(() -> channel.basicReject(tag, false));
                continue;
            }
            RabbitMqDelivery delivery = new RabbitMqDelivery(this, received.tag(), received.props(), received.body(),
                    event, subscriptionName(), received.at(), current);
            outstanding.put(received.tag(), delivery);
            batch.add(delivery);
        }
        return batch;
    }

    @Override
    protected List<Delivery> deliveries(List<Delivery> batch) {
        return batch;
    }

    @Override
    protected long waitNanos(List<Delivery> batch) {
        // The receiver raises the signal on every message; this only bounds a wait that missed nothing.
        return Duration.ofSeconds(1).toNanos();
    }

    @Override
    protected void leasedAfterClose(List<Delivery> batch) {
        outstanding.clear();
    }

    @Override
    protected void release() {
        channelLock.lock();
        try {
            Publisher.closeQuietly(channel);
        } finally {
            channelLock.unlock();
        }
        buffer.clear();
        outstanding.clear();
    }

    @Override
    protected void closed() {
        onClose.run();
    }

    /** Messages this consumer holds that are not ready in the queue: received and not yet settled. */
    long unsettled() {
        return buffer.size() + outstanding.size();
    }

    /** Deliveries handed out and not yet settled. */
    long inFlight() {
        return outstanding.size();
    }

    void ack(RabbitMqDelivery delivery) {
        settleIfOpen(() -> basicAck(delivery.tag()));
    }

    void nack(RabbitMqDelivery delivery, Duration delay) {
        settleIfOpen(() -> {
            long millis = roundUpMillis(delay);
            String target = millis == 0 ? names.queue(subscriptionName())
                    : topology.retryQueue(subscriptionName(), millis);
            AMQP.BasicProperties props = Messages.withHeaders(delivery.props(), Map.of(
                    Messages.ATTEMPT, delivery.attempt() + 1,
                    Messages.FIRST_ATTEMPT_AT, delivery.firstAttemptAt().toEpochMilli(),
                    Messages.GENERATION, delivery.generation()));
            publisher.publish(List.of(new Publisher.Outgoing("", target, props, delivery.body())));
            basicAck(delivery.tag());
        });
    }

    void deadLetter(RabbitMqDelivery delivery, String error) {
        settleIfOpen(() -> {
            AMQP.BasicProperties props = Messages.withHeaders(delivery.props(), Map.of(
                    Messages.DEAD_ID, UUID.randomUUID().toString(),
                    Messages.ERROR, error,
                    Messages.ATTEMPT, delivery.attempt(),
                    Messages.FIRST_ATTEMPT_AT, delivery.firstAttemptAt().toEpochMilli(),
                    Messages.DEAD_AT, Instant.now().toEpochMilli()));
            publisher.publish(List.of(new Publisher.Outgoing("", names.deadLetters(subscriptionName()), props,
                    delivery.body())));
            basicAck(delivery.tag());
        });
    }

    private void basicAck(long tag) {
        withChannel(() -> channel.basicAck(tag, false));
        outstanding.remove(tag);
    }

    @FunctionalInterface
    private interface ChannelCall {
        void run() throws IOException;
    }

    private void withChannel(ChannelCall call) {
        channelLock.lock();
        try {
            call.run();
        } catch (IOException e) {
            throw new TransportException("subscription " + subscriptionName() + ": " + Topology.rootMessage(e), e);
        } finally {
            channelLock.unlock();
        }
    }

    /**
     * A delay in whole milliseconds, rounded up to two significant digits above 100 ms (1,234 ms waits 1,300 ms):
     * never earlier than asked, and a bounded number of retry queues per subscription.
     */
    static long roundUpMillis(Duration delay) {
        long millis = (delay.toNanos() + 999_999) / 1_000_000;
        if (millis < 100) {
            return millis;
        }
        long unit = 1;
        while (millis / unit >= 100) {
            unit *= 10;
        }
        return (millis + unit - 1) / unit * unit;
    }
}
