package dev.herald.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.tck.TestEvents;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.LogFilter;
import dev.herald.transport.LogPage;
import dev.herald.transport.LogQuery;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code Transport.query} on Kafka against a raw consumer in the same run: a full read of a topic
 * (Herald pages of 1,000 within a scan budget of 10,000, decoding every record; the raw consumer
 * assigned to every partition, reading to the end offsets, decoding nothing), and the first page of a
 * time-bounded query (found by {@code offsetsForTimes}) against the same page scanned from the start.
 * Events: {@code -Dherald.kafka.bench.query.events} (default 10,000).
 */
@Tag("benchmark")
@ExtendWith(KafkaBroker.class)
@Order(5)
class QueryBenchmarkTest {

    private static final int EVENTS = Integer.getInteger("herald.kafka.bench.query.events", 10_000);
    private static final int ROUNDS = 3;

    @Test
    void printsQueryFiguresAgainstARawConsumer() throws Exception {
        String topic = "bench-query-" + UUID.randomUUID();
        // No skew allowance: the whole run lasts less than the default 10 s.
        try (KafkaTransport transport = KafkaTransport.open(KafkaBroker.options().queryTimeSkew(Duration.ZERO).build());
             KafkaConsumer<byte[], byte[]> consumer = new KafkaClients(KafkaBroker.options().build()).reader("bench")) {
            String run = UUID.randomUUID().toString();
            int half = EVENTS / 2;
            publish(transport, topic, TestEvents.probes(run, 0, half));
            Thread.sleep(50);
            Instant middle = Instant.now();
            Thread.sleep(50);
            publish(transport, topic, TestEvents.probes(run, half, EVENTS - half));

            double herald = 0;
            double raw = 0;
            double decoded = 0;
            double seeked = Double.MAX_VALUE;
            double scanned = Double.MAX_VALUE;
            int[] records = new int[2];
            LogQuery recent = LogQuery.of(topic).withLimit(100).withMaxScan(EVENTS)
                    .withFilter(LogFilter.ALL.withTime(middle, null));
            LogQuery recentByScan = LogQuery.of(topic).withLimit(100).withMaxScan(EVENTS);
            for (int round = 0; round < ROUNDS; round++) {
                long start = System.nanoTime();
                assertThat(readAll(transport, topic)).isEqualTo(EVENTS);
                herald = Math.max(herald, EVENTS / ((System.nanoTime() - start) / 1e9));
                start = System.nanoTime();
                assertThat(rawScan(consumer, topic, null)).isEqualTo(EVENTS);
                raw = Math.max(raw, EVENTS / ((System.nanoTime() - start) / 1e9));
                start = System.nanoTime();
                assertThat(rawScan(consumer, topic, new EventCodec(KafkaOptions.Encoding.BINARY))).isEqualTo(EVENTS);
                decoded = Math.max(decoded, EVENTS / ((System.nanoTime() - start) / 1e9));

                start = System.nanoTime();
                LogPage page = transport.query(recent);
                seeked = Math.min(seeked, (System.nanoTime() - start) / 1e6);
                assertThat(page.entries()).hasSize(100);
                assertThat(page.entries()).allMatch(e -> !e.event().getTime().toInstant().isBefore(middle));
                start = System.nanoTime();
                int examined = 0;
                int found = 0;
                // The same page without offsetsForTimes: scan from the start, keep what is at or after the time.
                for (LogQuery next = recentByScan; found < 100; ) {
                    LogPage scan = transport.query(next);
                    examined += scan.scanned();
                    found += (int) scan.entries().stream().filter(e -> !e.publishedAt().isBefore(middle)).count();
                    next = next.withAfter(scan.cursor());
                }
                scanned = Math.min(scanned, (System.nanoTime() - start) / 1e6);
                assertThat(examined).isGreaterThan(page.scanned());
                records[0] = page.scanned();
                records[1] = examined;
            }
            System.out.printf("[herald-bench] kafka query, %,d events on 3 partitions, best of %d rounds%n", EVENTS, ROUNDS);
            System.out.printf("[herald-bench]   full read: Herald %,.0f events/s, raw consumer %,.0f records/s (%.2f× raw),"
                    + " raw consumer decoding each event %,.0f events/s (%.2f×)%n", herald, raw, herald / raw, decoded,
                    herald / decoded);
            System.out.printf("[herald-bench]   first 100 events from a time in the middle: %.1f ms with offsetsForTimes"
                    + " (%,d records read), %.1f ms scanning from the start (%,d records read; %.2f×)%n",
                    seeked, records[0], scanned, records[1], seeked / scanned);
        }
    }

    private static void publish(KafkaTransport transport, String topic, List<CloudEvent> events) {
        for (int from = 0; from < events.size(); from += 500) {
            transport.publish(topic, EncodedEvent.all(events.subList(from, Math.min(events.size(), from + 500))));
        }
    }

    private static int readAll(KafkaTransport transport, String topic) {
        int read = 0;
        LogQuery query = LogQuery.of(topic).withLimit(1000);
        for (LogPage page = transport.query(query); ; page = transport.query(query)) {
            read += page.entries().size();
            query = query.withAfter(page.cursor());
            if (!page.more()) {
                return read;
            }
        }
    }

    /** The raw baseline on one consumer kept across rounds (as Herald keeps its readers); decoding when given a codec. */
    private static int rawScan(KafkaConsumer<byte[], byte[]> consumer, String topic, EventCodec codec) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
            partitions.add(new TopicPartition(topic, info.partition()));
        }
        Map<TopicPartition, Long> ends = new HashMap<>(consumer.endOffsets(partitions));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        int records = 0;
        while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
            for (var record : consumer.poll(Duration.ofMillis(100))) {
                records += codec == null || codec.read(topic, record.headers(), record.value()) != null ? 1 : 0;
            }
        }
        return records;
    }
}
