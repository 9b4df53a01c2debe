package dev.herald.transport.kafka;

import dev.herald.event.HeraldAttributes;
import io.cloudevents.CloudEvent;
import io.cloudevents.jackson.JsonFormat;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.cloudevents.kafka.CloudEventSerializer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Events to and from Kafka records with the SDK's CloudEvents Kafka protocol binding
 * ({@code cloudevents-kafka}): binary mode puts every attribute in a {@code ce_} header and the data,
 * byte for byte, in the value; structured mode puts the JSON event format in the value. Reading
 * detects the mode from the {@code content-type} header, so a topic may hold both.
 *
 * <p>The record key is the event's ordering key ({@link HeraldAttributes#orderingKey}:
 * {@code partitionkey}, else {@code project}, else {@code subject}), so Kafka's partitioner keeps
 * one key on one partition and its order holds. An event without any of them gets no key and is
 * spread over partitions.
 *
 * <p>Thread-safe: the SDK's serializer and deserializer keep no state beyond their configuration.
 */
final class EventCodec {

    private final CloudEventSerializer serializer = new CloudEventSerializer();
    private final CloudEventDeserializer deserializer = new CloudEventDeserializer();

    EventCodec(KafkaOptions.Encoding encoding) {
        serializer.configure(Map.of(
                CloudEventSerializer.ENCODING_CONFIG, encoding.name(),
                CloudEventSerializer.EVENT_FORMAT_CONFIG, JsonFormat.CONTENT_TYPE), false);
        deserializer.configure(Map.of(), false);
    }

    /** The record for {@code event} on {@code topic}, with {@code extra} headers written before the event's. */
    ProducerRecord<byte[], byte[]> record(String topic, Integer partition, CloudEvent event, Headers extra) {
        Objects.requireNonNull(event, "event");
        Headers headers = extra == null ? new RecordHeaders() : extra;
        byte[] value = serializer.serialize(topic, headers, event);
        return new ProducerRecord<>(topic, partition, null, key(event), value, headers);
    }

    /** The event of a record; fails with {@link io.cloudevents.rw.CloudEventRWException} on a record that is not one. */
    CloudEvent read(String topic, Headers headers, byte[] value) {
        return deserializer.deserialize(topic, headers, value);
    }

    /** The record key of an event: its ordering key in UTF-8, or null when it has none. */
    static byte[] key(CloudEvent event) {
        return HeraldAttributes.orderingKey(event).map(k -> k.getBytes(StandardCharsets.UTF_8)).orElse(null);
    }
}
