package dev.herald.transport.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.herald.transport.StartPosition;
import dev.herald.transport.TransportException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Replay: copies a topic's retained events from its stream into a subscription's queue. The subscription's
 * queue is bound to the topic first, so it already receives every event published from then on; a marker
 * published into the stream right after the binding ends the copy, so the copy and the binding together miss
 * nothing (an event routed in the instant of the binding may come twice, which at-least-once allows).
 *
 * <p>Streams are read over AMQP 0-9-1 ({@code x-stream-offset}), which needs no plugin. A stream offset by
 * timestamp has one-second precision and points at a chunk, so reading starts a little earlier and the events
 * are then filtered by their own {@code herald-published-at}: exactly those at or after the instant are copied.
 */
final class StreamReplay {

    /** Reading from a timestamp starts this much earlier: chunk precision and clock skew between hosts. */
    static final Duration SKEW = Duration.ofMinutes(1);
    private static final int BATCH = 500;

    private record Message(AMQP.BasicProperties props, byte[] body) {
    }

    private final Connection connection;
    private final Names names;
    private final Publisher publisher;
    private final Duration idleTimeout;

    StreamReplay(Connection connection, Names names, Publisher publisher, Duration idleTimeout) {
        this.connection = connection;
        this.names = names;
        this.publisher = publisher;
        this.idleTimeout = idleTimeout;
    }

    private static Instant earliestOf(Instant instant) {
        return instant.isBefore(Instant.EPOCH) ? Instant.EPOCH : instant;
    }

    /**
     * Copies the topic's events published at or after {@code from} (all for earliest) to {@code target}, up to
     * now. Nothing for {@code latest}.
     *
     * @return how many events were copied
     */
    int copy(String topic, StartPosition from, Target target) {
        if (from instanceof StartPosition.Latest) {
            return 0;
        }
        String stream = names.stream(topic);
        String token = UUID.randomUUID().toString();
        publisher.publish(List.of(new Publisher.Outgoing("", stream, Messages.marker(token), new byte[0])));
        Object offset = from instanceof StartPosition.At at ? Date.from(earliestOf(at.timestamp().minus(SKEW)))
                : "first";
        Instant notBefore = from instanceof StartPosition.At at ? at.timestamp() : Instant.MIN;
        BlockingQueue<Message> received = new LinkedBlockingQueue<>();
        Channel channel = null;
        String tag = null;
        try {
            channel = connection.createChannel();
            channel.basicQos(BATCH * 2);
            Channel reading = channel;
            tag = channel.basicConsume(stream, false, Map.of("x-stream-offset", offset), new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body)
                        throws IOException {
                    received.add(new Message(props, body));
                    if (reading.isOpen()) {
                        reading.basicAck(envelope.getDeliveryTag(), false);
                    }
                }
            });
            int copied = 0;
            List<Publisher.Outgoing> batch = new ArrayList<>();
            while (true) {
                Message message = received.poll(idleTimeout.toMillis(), TimeUnit.MILLISECONDS);
                if (message == null) {
                    throw new TransportException("reading stream " + stream + " stalled for " + idleTimeout
                            + " before reaching the replay marker");
                }
                var marker = Messages.text(message.props(), Messages.MARKER);
                if (marker.isPresent()) {
                    if (marker.get().equals(token)) {
                        break;
                    }
                    continue;
                }
                if (Messages.publishedAt(message.props()).isBefore(notBefore)) {
                    continue;
                }
                batch.add(target.message(Messages.withHeaders(message.props(), Map.of()), message.body()));
                if (batch.size() >= BATCH) {
                    publisher.publish(batch);
                    copied += batch.size();
                    batch.clear();
                }
            }
            publisher.publish(batch);
            return copied + batch.size();
        } catch (IOException e) {
            throw new TransportException("cannot replay stream " + stream + ": " + Topology.rootMessage(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted while replaying stream " + stream, e);
        } finally {
            if (channel != null) {
                StreamScanner.stopReading(channel, tag);
            }
        }
    }
}
