package dev.herald.transport.kafka;

import dev.herald.transport.TransportException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads single-partition topics (the subscription registry, dead-letter topics) from a given
 * offset up to their current end, without a consumer group. Not thread-safe: its owner serialises
 * calls.
 */
final class PartitionReader implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Duration timeout;

    PartitionReader(KafkaConsumer<byte[], byte[]> consumer, Duration timeout) {
        this.consumer = consumer;
        this.timeout = timeout;
    }

    /**
     * Hands every record of partition 0 of {@code topic} from {@code from} to the end (as it is when
     * the call starts) to {@code sink}; returns the offset after the last record read.
     */
    long readToEnd(String topic, long from, Consumer<ConsumerRecord<byte[], byte[]>> sink) {
        TopicPartition partition = new TopicPartition(topic, 0);
        try {
            Map<TopicPartition, Long> ends = consumer.endOffsets(List.of(partition), timeout);
            long end = ends.getOrDefault(partition, 0L);
            if (end <= from) {
                return Math.max(from, end);
            }
            consumer.assign(List.of(partition));
            consumer.seek(partition, from);
            long position = from;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (position < end) {
                if (System.nanoTime() > deadline) {
                    throw new TransportException("cannot read " + topic + " up to offset " + end + " within " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    sink.accept(record);
                }
                position = consumer.position(partition, timeout);
            }
            return position;
        } catch (KafkaException e) {
            throw new TransportException("cannot read " + topic + ": " + e.getMessage(), e);
        } finally {
            consumer.unsubscribe();
        }
    }

    @Override
    public void close() {
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
