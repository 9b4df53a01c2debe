package dev.herald.transport.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
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
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer of a subscription on a channel of its own: the broker pushes up to the prefetch limit into its
 * {@link Inbox}, {@link #poll} hands them out, and {@link #close()} closes the channel, which returns every
 * message not acknowledged to its queue for redelivery.
 *
 * <p>Settling: an ack is a {@code basic.ack}. A dead letter is a copy with the error in the dead-letter queue,
 * then the ack. A nack on an unordered subscription re-publishes a copy (attempt + 1) into the subscription's
 * retry queue for that delay, or straight into its queue without one, and acknowledges the original once the
 * copy is confirmed; a crash in between leaves both, so the event may come twice but is never lost. A nack on
 * an ordered subscription keeps the message unacknowledged and hands it out again after the delay, its key
 * held back meanwhile: a copy would lose its place in the key's order.
 */
final class RabbitMqConsumer extends PollingConsumer<List<Delivery>> {

    private static final Logger LOG = LoggerFactory.getLogger(RabbitMqConsumer.class);

    /** What a consumer needs of its transport. */
    record Plumbing(Connection connection, Names names, Publisher publisher, Topology topology, int prefetch) {
    }

    private final Channel channel;
    private final Plumbing plumbing;
    private final boolean ordered;
    private final LongSupplier generation;
    private final TopicSignals.Signal signal;
    private final ReentrantLock channelLock = new ReentrantLock();
    private final Inbox inbox;
    private final Map<Long, RabbitMqDelivery> outstanding = new ConcurrentHashMap<>();
    private final Runnable onClose;

    private RabbitMqConsumer(String subscription, TopicSignals.Signal signal, Channel channel, Plumbing plumbing,
                             boolean ordered, LongSupplier generation, Runnable onClose) {
        super(subscription, signal);
        this.signal = signal;
        this.channel = channel;
        this.plumbing = plumbing;
        this.ordered = ordered;
        this.inbox = new Inbox(ordered);
        this.generation = generation;
        this.onClose = onClose;
    }

    /**
     * Opens a channel and consumes the subscription's queues: its one queue, or every shard of an ordered one
     * (the broker makes one consumer active per shard).
     */
    static RabbitMqConsumer open(Plumbing plumbing, String subscription, List<String> queues, boolean ordered,
                                 LongSupplier generation, Runnable onClose) {
        Channel channel = null;
        try {
            channel = plumbing.connection().createChannel();
            channel.basicQos(plumbing.prefetch());
            RabbitMqConsumer consumer = new RabbitMqConsumer(subscription, new TopicSignals.Signal(), channel,
                    plumbing, ordered, generation, onClose);
            for (String queue : queues) {
                channel.basicConsume(queue, false, consumer.new Receiver(channel));
            }
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
            inbox.add(new Inbox.Received(envelope.getDeliveryTag(), props, body, Instant.now(),
                    envelope.getRoutingKey(), Messages.attempt(props), null));
            signal.raise();
        }
    }

    @Override
    protected List<Delivery> lease(int max) {
        List<Delivery> batch = new ArrayList<>();
        long current = generation.getAsLong();
        for (Inbox.Received received : inbox.take(max)) {
            if (Messages.number(received.props(), Messages.GENERATION).orElse(current) < current) {
                // A retry from before a seek: seek drops pending retries.
                drop(received);
                continue;
            }
            CloudEvent event;
            try {
                event = Messages.event(received.body());
            } catch (RuntimeException e) {
                LOG.warn("subscription {}: message {} is not a CloudEvent, rejected to the dead letters: {}",
                        subscriptionName(), received.props().getMessageId(), e.toString());
                withChannel(() -> channel.basicReject(received.tag(), false));
                inbox.settled(received.key());
                continue;
            }
            RabbitMqDelivery delivery = new RabbitMqDelivery(this, received, event, subscriptionName(), current);
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
        inbox.clear();
        outstanding.clear();
    }

    @Override
    protected void closed() {
        onClose.run();
    }

    /** Messages this consumer holds that are not ready in the queue: received and not yet settled. */
    long unsettled() {
        return inbox.size() + outstanding.size();
    }

    /** Deliveries handed out and not yet settled. */
    long inFlight() {
        return outstanding.size();
    }

    void ack(RabbitMqDelivery delivery) {
        settleIfOpen(() -> basicAck(delivery.received()));
    }

    void nack(RabbitMqDelivery delivery, Duration delay) {
        settleIfOpen(() -> {
            if (ordered) {
                retryInPlace(delivery, delay);
                return;
            }
            long millis = roundUpMillis(delay);
            Names names = plumbing.names();
            String target = millis == 0 ? names.queue(subscriptionName())
                    : plumbing.topology().retryQueue(subscriptionName(), millis);
            AMQP.BasicProperties props = Messages.withHeaders(delivery.props(), Map.of(
                    Messages.ATTEMPT, delivery.attempt() + 1,
                    Messages.FIRST_ATTEMPT_AT, delivery.firstAttemptAt().toEpochMilli(),
                    Messages.GENERATION, delivery.generation()));
            plumbing.publisher().publish(List.of(new Publisher.Outgoing("", target, props, delivery.body())));
            basicAck(delivery.received());
        });
    }

    /** The ordered nack: the message stays unacknowledged and comes back after the delay, its key held. */
    private void retryInPlace(RabbitMqDelivery delivery, Duration delay) {
        outstanding.remove(delivery.tag());
        Inbox.Received again = delivery.received().retry(delivery.firstAttemptAt());
        Thread.ofVirtual().name("herald-rabbitmq-retry").start(() -> {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (isClosed()) {
                return; // closing the channel returned it to its shard
            }
            if (generation.getAsLong() > delivery.generation()) {
                drop(again); // seek drops pending retries
                return;
            }
            inbox.addRetry(again);
            signal.raise();
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
            plumbing.publisher().publish(List.of(new Publisher.Outgoing("",
                    plumbing.names().deadLetters(subscriptionName()), props, delivery.body())));
            basicAck(delivery.received());
        });
    }

    private void drop(Inbox.Received received) {
        try {
            basicAck(received);
        } catch (TransportException e) {
            if (!isClosed()) {
                throw e;
            }
        }
    }

    private void basicAck(Inbox.Received received) {
        withChannel(() -> channel.basicAck(received.tag(), false));
        outstanding.remove(received.tag());
        inbox.settled(received.key());
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
