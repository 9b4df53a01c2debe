package dev.herald.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.tck.EventAssertions;
import dev.herald.tck.TestEvents;
import dev.herald.transport.EncodedEvent;
import io.cloudevents.CloudEvent;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The CloudEvents Kafka binding round trip, without a broker. */
class EventCodecTest {

    @ParameterizedTest
    @EnumSource(KafkaOptions.Encoding.class)
    void everyAttributeAndTheDataSurvive(KafkaOptions.Encoding encoding) {
        EventCodec codec = new EventCodec(encoding);
        for (int seq = 0; seq < 6; seq++) {
            CloudEvent event = TestEvents.full("codec", seq);
            ProducerRecord<byte[], byte[]> record = codec.record("events", EncodedEvent.of(event));
            EventAssertions.assertSameEvent(event, codec.read("events", record.headers(), record.value()));
        }
    }

    @Test
    void binaryModeUsesCeHeadersAndKeepsTheDataAsTheValue() {
        EventCodec codec = new EventCodec(KafkaOptions.Encoding.BINARY);
        CloudEvent event = TestEvents.full("codec", 1);
        ProducerRecord<byte[], byte[]> record = codec.record("events", EncodedEvent.of(event));
        assertThat(record.value()).isEqualTo(event.getData().toBytes());
        assertThat(new String(record.headers().lastHeader("ce_id").value(), StandardCharsets.UTF_8))
                .isEqualTo(event.getId());
        assertThat(record.headers().lastHeader("ce_project")).isNotNull();
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("pk-1");
    }

    @Test
    void structuredModeCarriesTheEncodedBytesAsTheValue() {
        EventCodec codec = new EventCodec(KafkaOptions.Encoding.STRUCTURED);
        EncodedEvent encoded = EncodedEvent.of(TestEvents.probe("codec", 1));
        ProducerRecord<byte[], byte[]> record = codec.record("events", encoded);
        assertThat(new String(record.headers().lastHeader("content-type").value(), StandardCharsets.UTF_8))
                .startsWith("application/cloudevents+json");
        assertThat(record.headers().lastHeader("ce_id")).isNull();
        assertThat(record.value()).as("the core's bytes, not a second serialisation").isSameAs(encoded.json());
    }

    @Test
    void theRecordKeyIsTheOrderingKeyTheCoreDerived() {
        CloudEvent event = TestEvents.keyed("codec", "k", 7);
        ProducerRecord<byte[], byte[]> record = codec().record("events", new EncodedEvent(event,
                EncodedEvent.of(event).json(), "given"));
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("given");
        CloudEvent unkeyed = TestEvents.probe("codec", 7);
        assertThat(codec().record("events", new EncodedEvent(unkeyed, EncodedEvent.of(unkeyed).json(), null)).key())
                .isNull();
    }

    private static EventCodec codec() {
        return new EventCodec(KafkaOptions.Encoding.BINARY);
    }
}
