package dev.herald.transport.rabbitmq;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionSpec;
import dev.herald.transport.TransportException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscription definitions, kept in a stream ({@code <prefix>.subscriptions}) that every process reads
 * from its start and then follows: the last record of a name wins, a {@code deleted} record removes it. A write
 * is published with confirms and returns once this process's reader applied it, so a process reads its own
 * writes, and other processes see them within milliseconds. Opening writes a sync record and waits for it:
 * once it comes back, every earlier definition was read.
 *
 * <p>The stream has no retention limit (definitions must outlive any age); it grows by one small record per
 * subscription change and per process start.
 */
final class Registry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Registry.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One definition as stored.
     *
     * @param name        the subscription
     * @param topic       its topic
     * @param start       where it started: {@code latest}, {@code earliest} or an instant
     * @param ordered     per-key order
     * @param delayMillis its delivery delay
     * @param generation  raised by every seek: a nacked event of an older generation waiting for its retry is
     *                    dropped when it comes back
     * @param waits       every delivery delay it ever had, in milliseconds: the wait queues to delete with it
     * @param shards      an ordered subscription's number of shards; 0 for an unordered one
     * @param deleted     a deletion
     * @param token       the writer's token, to recognise its own write when it comes back
     */
    record Definition(String name, String topic, String start, boolean ordered, long delayMillis, long generation,
                      List<Long> waits, int shards, boolean deleted, String token) {

        static Definition of(SubscriptionSpec spec, long generation, List<Long> waits, int shards) {
            return new Definition(spec.name(), spec.topic(), spec.start().toString(), spec.ordered(),
                    spec.deliveryDelay().toMillis(), generation, waits, shards, false, null);
        }

        SubscriptionSpec spec() {
            return new SubscriptionSpec(name, topic, StartPosition.parse(start), ordered, Duration.ofMillis(delayMillis));
        }

        Definition withToken(String value) {
            return new Definition(name, topic, start, ordered, delayMillis, generation, waits, shards, deleted, value);
        }

        Definition withGeneration(long value) {
            return new Definition(name, topic, start, ordered, delayMillis, value, waits, shards, deleted, token);
        }

        Definition asDeleted() {
            return new Definition(name, topic, start, ordered, delayMillis, generation, waits, shards, true, token);
        }
    }

    private final String stream;
    private final Publisher publisher;
    private final Duration timeout;
    private final Map<String, Definition> definitions = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();
    private final Channel reader;

    private Registry(String stream, Publisher publisher, Duration timeout, Channel reader) {
        this.stream = stream;
        this.publisher = publisher;
        this.timeout = timeout;
        this.reader = reader;
    }

    /** Declares the stream, reads every definition and follows it. */
    static Registry open(Connection connection, String stream, Publisher publisher, Duration timeout) {
        try {
            Channel reader = connection.createChannel();
            reader.queueDeclare(stream, true, false, false, Map.of("x-queue-type", "stream"));
            // Stream consumers need a prefetch; acks only return credit.
            reader.basicQos(500);
            Registry registry = new Registry(stream, publisher, timeout, reader);
            reader.basicConsume(stream, false, Map.of("x-stream-offset", "first"), registry.new Follower(reader));
            registry.write(new Definition("", "", "latest", false, 0, 0, List.of(), 0, true, null));
            return registry;
        } catch (IOException e) {
            throw new TransportException("cannot read the subscription definitions in stream " + stream + ": "
                    + Topology.rootMessage(e), e);
        }
    }

    Optional<Definition> find(String name) {
        return Optional.ofNullable(definitions.get(name));
    }

    /** Stores a definition (or a deletion) and returns once this process applied it. */
    void write(Definition definition) {
        String token = UUID.randomUUID().toString();
        CompletableFuture<Void> applied = new CompletableFuture<>();
        pending.put(token, applied);
        try {
            byte[] body = JSON.writeValueAsBytes(definition.withToken(token));
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().deliveryMode(2)
                    .contentType("application/json").build();
            publisher.publish(List.of(new Publisher.Outgoing("", stream, props, body)));
            applied.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (IOException | ExecutionException | TimeoutException e) {
            throw new TransportException("the subscription definition of '" + definition.name()
                    + "' was not read back from stream " + stream + " in time", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted while storing subscription " + definition.name(), e);
        } finally {
            pending.remove(token);
        }
    }

    private final class Follower extends DefaultConsumer {
        Follower(Channel channel) {
            super(channel);
        }

        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body)
                throws IOException {
            try {
                Definition definition = JSON.readValue(body, Definition.class);
                if (!definition.name().isEmpty()) {
                    if (definition.deleted()) {
                        definitions.remove(definition.name());
                    } else {
                        definitions.put(definition.name(), definition.withToken(null));
                    }
                }
                if (definition.token() != null) {
                    CompletableFuture<Void> waiting = pending.get(definition.token());
                    if (waiting != null) {
                        waiting.complete(null);
                    }
                }
            } catch (IOException e) {
                LOG.warn("skipping an unreadable record in {}: {}", stream, e.toString());
            }
            // Closing the transport closes the channel while the stream may still be delivering.
            if (getChannel().isOpen()) {
                getChannel().basicAck(envelope.getDeliveryTag(), false);
            }
        }
    }

    @Override
    public void close() {
        Publisher.closeQuietly(reader);
    }
}
