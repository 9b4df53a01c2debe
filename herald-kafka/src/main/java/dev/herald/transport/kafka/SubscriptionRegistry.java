package dev.herald.transport.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionSpec;
import dev.herald.transport.TransportException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subscription definitions, kept durably in a compacted single-partition topic: key = subscription
 * name, value = the spec as JSON, a tombstone (null value) for a deleted subscription. Compaction
 * keeps the latest definition of each name for as long as the cluster lives, so any process
 * reading the topic from its beginning knows every subscription.
 *
 * <p>Every lookup first reads what was appended since the last one, so a definition written by
 * another process is seen by the next lookup here (one end-offset request when nothing changed).
 * Writes wait for the broker's acknowledgement. Thread-safe (calls are serialised).
 */
final class SubscriptionRegistry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionRegistry.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String topic;
    private final PartitionReader reader;
    private final Producer<byte[], byte[]> producer;
    private final Duration timeout;
    private final Map<String, SubscriptionSpec> specs = new HashMap<>();
    private long position;

    SubscriptionRegistry(String topic, PartitionReader reader, Producer<byte[], byte[]> producer, Duration timeout) {
        this.topic = topic;
        this.reader = reader;
        this.producer = producer;
        this.timeout = timeout;
    }

    /** The current definition of a subscription. */
    synchronized Optional<SubscriptionSpec> find(String name) {
        catchUp();
        return Optional.ofNullable(specs.get(name));
    }

    /** Stores a definition durably (replacing any earlier one of the name). */
    synchronized void put(SubscriptionSpec spec) {
        write(spec.name(), encode(spec));
        catchUp();
    }

    /** Removes a definition durably. */
    synchronized void remove(String name) {
        write(name, null);
        catchUp();
    }

    private void write(String name, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(topic, 0, name.getBytes(StandardCharsets.UTF_8), value))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new TransportException("cannot store subscription " + name + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new TransportException("cannot store subscription " + name + " within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted while storing subscription " + name, e);
        }
    }

    private void catchUp() {
        position = reader.readToEnd(topic, position, this::apply);
    }

    private void apply(ConsumerRecord<byte[], byte[]> record) {
        if (record.key() == null) {
            return;
        }
        String name = new String(record.key(), StandardCharsets.UTF_8);
        if (record.value() == null) {
            specs.remove(name);
            return;
        }
        try {
            specs.put(name, decode(name, record.value()));
        } catch (IOException | RuntimeException e) {
            // One unreadable definition (a newer format?) must not hide every other subscription.
            LOG.warn("ignoring unreadable definition of subscription {} at {}@{}", name, topic, record.offset(), e);
        }
    }

    static byte[] encode(SubscriptionSpec spec) {
        ObjectNode node = JSON.createObjectNode();
        node.put("v", 1);
        node.put("name", spec.name());
        node.put("topic", spec.topic());
        node.put("start", spec.start().toString());
        node.put("ordered", spec.ordered());
        node.put("deliveryDelay", spec.deliveryDelay().toString());
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    static SubscriptionSpec decode(String name, byte[] value) throws IOException {
        JsonNode node = JSON.readTree(value);
        return new SubscriptionSpec(name, node.path("topic").asText(), StartPosition.parse(node.path("start").asText()),
                node.path("ordered").asBoolean(), Duration.parse(node.path("deliveryDelay").asText("PT0S")));
    }

    @Override
    public synchronized void close() {
        reader.close();
    }
}
