package dev.herald.transport.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.herald.transport.TransportException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeoutException;

/**
 * Publishes with publisher confirms: a call returns once the broker confirmed every message of it (for quorum
 * queues and streams: replicated and written to disk), and fails otherwise. Calls share a small pool of
 * confirm-mode channels, one per call at a time, because a channel's confirms cannot tell two callers apart;
 * a channel that failed is dropped and a new one opened on the next call.
 */
final class Publisher implements AutoCloseable {

    /** One message to publish. */
    record Outgoing(String exchange, String routingKey, AMQP.BasicProperties props, byte[] body) {
    }

    private final Connection connection;
    private final Duration confirmTimeout;
    private final Semaphore permits;
    private final ConcurrentLinkedQueue<Channel> idle = new ConcurrentLinkedQueue<>();

    Publisher(Connection connection, int channels, Duration confirmTimeout) {
        this.connection = connection;
        this.confirmTimeout = confirmTimeout;
        this.permits = new Semaphore(channels);
    }

    /**
     * Publishes the messages and waits for their confirms.
     *
     * @throws TransportException when the broker refused one or did not confirm in time; some may be stored
     */
    void publish(List<Outgoing> messages) {
        if (messages.isEmpty()) {
            return;
        }
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted while waiting for a publisher channel", e);
        }
        Channel channel = null;
        try {
            channel = borrow();
            for (Outgoing message : messages) {
                channel.basicPublish(message.exchange(), message.routingKey(), message.props(), message.body());
            }
            channel.waitForConfirmsOrDie(confirmTimeout.toMillis());
            idle.add(channel);
            channel = null;
        } catch (IOException | TimeoutException | RuntimeException e) {
            throw new TransportException("RabbitMQ did not confirm " + messages.size() + " messages: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted while waiting for RabbitMQ's confirms", e);
        } finally {
            if (channel != null) {
                closeQuietly(channel);
            }
            permits.release();
        }
    }

    private Channel borrow() throws IOException {
        for (Channel channel = idle.poll(); channel != null; channel = idle.poll()) {
            if (channel.isOpen()) {
                return channel;
            }
        }
        Channel channel = connection.createChannel();
        channel.confirmSelect();
        return channel;
    }

    static void closeQuietly(Channel channel) {
        try {
            if (channel.isOpen()) {
                channel.close();
            }
        } catch (IOException | TimeoutException | RuntimeException e) {
            // Closing a broken channel: the broker drops it with the connection anyway.
        }
    }

    @Override
    public void close() {
        for (Channel channel = idle.poll(); channel != null; channel = idle.poll()) {
            closeQuietly(channel);
        }
    }
}
