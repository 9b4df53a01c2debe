package dev.herald.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.tck.TransportBenchmark;
import dev.herald.transport.EncodedEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Herald's Kafka publish against the raw {@code kafka-clients} producer ({@link TransportBenchmark}) sending the
 * same records (binary mode, encoded beforehand) with the same settings (the transport's own producer
 * configuration: acks=all, idempotence, linger.ms=5) and the same pattern (calls waiting for their acks).
 * {@code -Dherald.kafka.bench.events=100000} for real figures.
 */
@ExtendWith(KafkaBroker.class)
@Order(4)
class KafkaBenchmarkTest {

    @Test
    void publishThroughputAgainstTheRawProducerAndEndToEndLatency() throws Exception {
        KafkaOptions options = KafkaBroker.options().build();
        EventCodec codec = new EventCodec(options.encoding());
        TransportBenchmark.Report report;
        try (KafkaTransport transport = KafkaTransport.open(options);
             KafkaProducer<byte[], byte[]> raw = new KafkaClients(options).producer()) {
            report = TransportBenchmark.named("kafka", "acks=all, idempotent producer, linger.ms=5")
                    .run(transport, new TransportBenchmark.RawClient<ProducerRecord<byte[], byte[]>>() {
                        @Override
                        public String describe() {
                            return "raw kafka-clients producer";
                        }

                        @Override
                        public ProducerRecord<byte[], byte[]> prepare(String topic, EncodedEvent event) {
                            return codec.record(topic, event);
                        }

                        @Override
                        public void publish(String topic, List<ProducerRecord<byte[], byte[]>> batch) throws Exception {
                            List<Future<RecordMetadata>> sends = new ArrayList<>(batch.size());
                            for (ProducerRecord<byte[], byte[]> record : batch) {
                                sends.add(raw.send(record));
                            }
                            for (Future<RecordMetadata> send : sends) {
                                send.get();
                            }
                        }
                    });
        }
        assertThat(report.ratios()).hasSize(1).allSatisfy(ratio -> assertThat(ratio).isPositive());
    }
}
