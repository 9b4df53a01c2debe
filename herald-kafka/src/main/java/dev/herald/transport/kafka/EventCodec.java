package dev.herald.transport.kafka;

import dev.herald.transport.EncodedEvent;
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
 * byte for byte, in the value; structured mode puts the JSON event format in the value (on publish,
 * the bytes the core encoded, not serialised again). Reading detects the mode from the
 * {@code content-type} header, so a topic may hold both.
 *
 * <p>The record key is the event's ordering key as the core derived it ({@link EncodedEvent#orderingKey}),
 * so Kafka's partitioner keeps one key on one partition and its order holds. An event without one gets
 * no key and is spread over partitions.
 *
 * <p>Thread-safe: the SDK's serializer and deserializer keep no state beyond their configuration.
 */
final class EventCodec {

    /** The binding's header naming a structured-mode record's format. */
    static final String CONTENT_TYPE = "content-type";
    private static final byte[] STRUCTURED_CONTENT_TYPE = JsonFormat.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8);

    private final KafkaOptions.Encoding encoding;
    private final CloudEventSerializer serializer = new CloudEventSerializer();
    private final CloudEventDeserializer deserializer = new CloudEventDeserializer();

    EventCodec(KafkaOptions.Encoding encoding) {
        this.encoding = encoding;
        serializer.configure(Map.of(
                CloudEventSerializer.ENCODING_CONFIG, encoding.name(),
                CloudEventSerializer.EVENT_FORMAT_CONFIG, JsonFormat.CONTENT_TYPE), false);
        deserializer.configure(Map.of(), false);
    }

    /** The record publishing {@code encoded} on {@code topic}, keyed by its ordering key. */
    ProducerRecord<byte[], byte[]> record(String topic, EncodedEvent encoded) {
        Headers headers = new RecordHeaders();
        byte[] value;
        if (encoding == KafkaOptions.Encoding.STRUCTURED) {
            headers.add(CONTENT_TYPE, STRUCTURED_CONTENT_TYPE);
            value = encoded.json();
        } else {
            value = serializer.serialize(topic, headers, encoded.event());
        }
        return new ProducerRecord<>(topic, null, null, key(encoded.orderingKey()), value, headers);
    }

    /**
     * The record for {@code event} on {@code topic}, with {@code extra} headers written before the event's.
     *
     * @param key the record key, or null
     */
    ProducerRecord<byte[], byte[]> record(String topic, Integer partition, CloudEvent event, String key,
                                          Headers extra) {
        Objects.requireNonNull(event, "event");
        Headers headers = extra == null ? new RecordHeaders() : extra;
        byte[] value = serializer.serialize(topic, headers, event);
        return new ProducerRecord<>(topic, partition, null, key(key), value, headers);
    }

    /** The event of a record; fails with {@link io.cloudevents.rw.CloudEventRWException} on a record that is not one. */
    CloudEvent read(String topic, Headers headers, byte[] value) {
        return deserializer.deserialize(topic, headers, value);
    }

    private static byte[] key(String key) {
        return key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    }
}
