package dev.herald.transport.kafka;

import dev.herald.transport.InvalidCursorException;
import dev.herald.transport.LogEntry;
import dev.herald.transport.LogPage;
import dev.herald.transport.LogQuery;
import dev.herald.transport.TransportException;
import io.cloudevents.CloudEvent;
import io.cloudevents.rw.CloudEventRWException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link dev.herald.transport.Transport#query} on Kafka, which has no index but offsets and times: a
 * bounded scan.
 *
 * <ol>
 *   <li><b>Where to start.</b> A cursor names the next offset of every partition. Without one, each
 *       partition starts at its first retained offset, or, when the filter has a time lower bound, at
 *       the first offset stored at or after that time less {@link KafkaOptions#queryTimeSkew()}
 *       ({@code offsetsForTimes}: one request, answered from the brokers' time indexes).</li>
 *   <li><b>Where to stop.</b> At each partition's end offset as the page starts (committed records
 *       only), so a page is a snapshot and the cursor of the last page polls for newer records.</li>
 *   <li><b>The scan.</b> The partitions' records are merged by store time (then partition, then
 *       offset), decoded and tested with the filter, until the page holds the query's limit, or
 *       {@code maxScan} records were examined (the page then ends with
 *       {@link LogPage.End#SCAN_LIMIT} and a cursor to continue), or every partition is read to its
 *       end. The cursor continues after every record examined, so pages neither repeat nor skip.</li>
 * </ol>
 *
 * <p>Cost: a page reads up to {@code maxScan} records over the network, whatever the filter; only a
 * time lower bound narrows where the scan starts. Readers are pooled consumers without a group.
 * Thread-safe: each page borrows a reader of its own.
 */
final class LogScanner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LogScanner.class);
    private static final String CURSOR_PREFIX = "k:";
    private static final Pattern CURSOR_ENTRY = Pattern.compile("(\\d{1,9})=(\\d{1,19})");
    private static final int MAX_IDLE_READERS = 4;
    /** Records buffered per partition before it stops fetching until the merge drains it. */
    private static final int BUFFER_PER_PARTITION = 2_000;
    private static final Comparator<ConsumerRecord<byte[], byte[]>> STORE_ORDER =
            Comparator.<ConsumerRecord<byte[], byte[]>>comparingLong(ConsumerRecord::timestamp)
                    .thenComparingInt(ConsumerRecord::partition).thenComparingLong(ConsumerRecord::offset);

    private final Supplier<KafkaConsumer<byte[], byte[]>> readers;
    private final EventCodec codec;
    private final Duration timeout;
    private final Duration timeSkew;
    private final ConcurrentLinkedDeque<KafkaConsumer<byte[], byte[]>> idle = new ConcurrentLinkedDeque<>();
    private volatile boolean closed;

    LogScanner(Supplier<KafkaConsumer<byte[], byte[]>> readers, EventCodec codec, Duration timeout, Duration timeSkew) {
        this.readers = readers;
        this.codec = codec;
        this.timeout = timeout;
        this.timeSkew = timeSkew;
    }

    LogPage page(LogQuery query, String transport) {
        TreeMap<Integer, Long> cursor = parse(query.after(), transport);
        KafkaConsumer<byte[], byte[]> reader = borrow();
        boolean healthy = false;
        try {
            LogPage page = new Scan(reader, query, cursor).run();
            healthy = true;
            return page;
        } catch (KafkaException e) {
            throw new TransportException("cannot query topic " + query.topic() + ": " + e.getMessage(), e);
        } finally {
            giveBack(reader, healthy);
        }
    }

    /** One page's scan on one reader. */
    private final class Scan {
        private final KafkaConsumer<byte[], byte[]> reader;
        private final LogQuery query;
        private final TreeMap<Integer, Long> next;
        private final Map<TopicPartition, Long> ends = new HashMap<>();
        private final Map<TopicPartition, ArrayDeque<ConsumerRecord<byte[], byte[]>>> buffers = new HashMap<>();

        Scan(KafkaConsumer<byte[], byte[]> reader, LogQuery query, TreeMap<Integer, Long> cursor) {
            this.reader = reader;
            this.query = query;
            this.next = new TreeMap<>(cursor);
        }

        LogPage run() {
            List<TopicPartition> partitions = partitions();
            if (partitions.isEmpty()) {
                return new LogPage(List.of(), encode(next), LogPage.End.CAUGHT_UP, 0);
            }
            start(partitions);
            List<TopicPartition> open = partitions.stream().filter(p -> next.get(p.partition()) < ends.get(p)).toList();
            if (open.isEmpty()) {
                return new LogPage(List.of(), encode(next), LogPage.End.CAUGHT_UP, 0);
            }
            reader.assign(open);
            for (TopicPartition partition : open) {
                reader.seek(partition, next.get(partition.partition()));
                buffers.put(partition, new ArrayDeque<>());
            }
            List<LogEntry> entries = new ArrayList<>();
            int scanned = 0;
            while (scanned < query.maxScan()) {
                ConsumerRecord<byte[], byte[]> record = nextInStoreOrder();
                if (record == null) {
                    return new LogPage(entries, encode(next), LogPage.End.CAUGHT_UP, scanned);
                }
                scanned++;
                next.put(record.partition(), record.offset() + 1);
                CloudEvent event = decode(record);
                if (event != null && query.filter().matches(event)) {
                    entries.add(new LogEntry(record.partition() + "@" + record.offset(),
                            Instant.ofEpochMilli(record.timestamp()), event));
                    if (entries.size() == query.limit()) {
                        return new LogPage(entries, encode(next), LogPage.End.FULL, scanned);
                    }
                }
            }
            boolean done = buffers.keySet().stream().allMatch(this::exhausted);
            return new LogPage(entries, encode(next), done ? LogPage.End.CAUGHT_UP : LogPage.End.SCAN_LIMIT, scanned);
        }

        private List<TopicPartition> partitions() {
            List<PartitionInfo> infos = reader.partitionsFor(query.topic(), timeout);
            List<TopicPartition> partitions = new ArrayList<>();
            if (infos != null) {
                infos.forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition())));
            }
            partitions.sort(Comparator.comparingInt(TopicPartition::partition));
            return partitions;
        }

        /** Fills {@link #next} for partitions the cursor does not name, and clamps all to what is retained. */
        private void start(List<TopicPartition> partitions) {
            ends.putAll(reader.endOffsets(partitions, timeout));
            Map<TopicPartition, Long> firsts = reader.beginningOffsets(partitions, timeout);
            List<TopicPartition> unnamed = partitions.stream().filter(p -> !next.containsKey(p.partition())).toList();
            Map<TopicPartition, Long> byTime = new HashMap<>();
            if (!unnamed.isEmpty() && query.filter().timeFrom() != null) {
                long millis = Math.max(0, query.filter().timeFrom().minus(timeSkew).toEpochMilli());
                Map<TopicPartition, Long> targets = new HashMap<>();
                unnamed.forEach(p -> targets.put(p, millis));
                Map<TopicPartition, OffsetAndTimestamp> found = reader.offsetsForTimes(targets, timeout);
                // No record stored at or after the time: the partition starts at its end.
                unnamed.forEach(p -> byTime.put(p, found.get(p) == null ? ends.get(p) : found.get(p).offset()));
            }
            for (TopicPartition partition : partitions) {
                long from = next.containsKey(partition.partition()) ? next.get(partition.partition())
                        : byTime.getOrDefault(partition, firsts.get(partition));
                // Retention may have removed what a cursor points at: go on from the first retained record.
                next.put(partition.partition(), Math.max(from, firsts.get(partition)));
            }
        }

        /**
         * The record stored first among the heads of the partitions not read to their end, fetching
         * for partitions whose buffer ran dry; null once every partition is at its end.
         */
        private ConsumerRecord<byte[], byte[]> nextInStoreOrder() {
            fillEmptyBuffers();
            ConsumerRecord<byte[], byte[]> first = null;
            for (ArrayDeque<ConsumerRecord<byte[], byte[]>> buffer : buffers.values()) {
                ConsumerRecord<byte[], byte[]> head = buffer.peekFirst();
                if (head != null && (first == null || STORE_ORDER.compare(head, first) < 0)) {
                    first = head;
                }
            }
            if (first != null) {
                buffers.get(new TopicPartition(first.topic(), first.partition())).pollFirst();
            }
            return first;
        }

        private void fillEmptyBuffers() {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                List<TopicPartition> dry = buffers.entrySet().stream()
                        .filter(e -> e.getValue().isEmpty() && !exhausted(e.getKey())).map(Map.Entry::getKey).toList();
                if (dry.isEmpty()) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new TransportException("cannot read " + dry + " up to their end offsets within " + timeout);
                }
                // Every partition fetches at once (one round trip serves all); a partition holding
                // plenty already waits, so memory stays bounded when partitions' times diverge.
                List<TopicPartition> full = buffers.entrySet().stream()
                        .filter(e -> e.getValue().size() >= BUFFER_PER_PARTITION).map(Map.Entry::getKey).toList();
                reader.pause(full);
                reader.resume(buffers.keySet().stream().filter(p -> !full.contains(p)).toList());
                for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(100))) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() < ends.get(partition)) {
                        buffers.get(partition).addLast(record);
                    }
                }
            }
        }

        /** Whether a partition has nothing left below its end offset (buffered or to fetch). */
        private boolean exhausted(TopicPartition partition) {
            if (!buffers.get(partition).isEmpty()) {
                return false;
            }
            // Offsets may have gaps (compaction, transaction markers): the reader's position tells.
            return reader.position(partition, timeout) >= ends.get(partition);
        }

        private CloudEvent decode(ConsumerRecord<byte[], byte[]> record) {
            try {
                return codec.read(record.topic(), record.headers(), record.value());
            } catch (CloudEventRWException e) {
                LOG.warn("query of {} skips record {}@{}: not a CloudEvent ({})", record.topic(), record.partition(),
                        record.offset(), e.getMessage());
                return null;
            }
        }
    }

    private KafkaConsumer<byte[], byte[]> borrow() {
        if (closed) {
            throw new IllegalStateException("the transport is closed");
        }
        KafkaConsumer<byte[], byte[]> reader = idle.pollFirst();
        return reader != null ? reader : readers.get();
    }

    /** Keeps a healthy reader for the next page (a few at most), closes the others. */
    private void giveBack(KafkaConsumer<byte[], byte[]> reader, boolean healthy) {
        boolean keep = healthy;
        try {
            reader.unsubscribe();
        } catch (KafkaException e) {
            keep = false;
        }
        if (keep && !closed && idle.size() < MAX_IDLE_READERS) {
            idle.addFirst(reader);
            // close() may have drained the pool meanwhile: then this reader is ours to close.
            if (!closed || !idle.remove(reader)) {
                return;
            }
        }
        reader.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }

    /** {@code k:} then {@code partition=nextOffset} for each partition, comma-separated. */
    private static String encode(TreeMap<Integer, Long> next) {
        StringJoiner text = new StringJoiner(",", CURSOR_PREFIX, "");
        next.forEach((partition, offset) -> text.add(partition + "=" + offset));
        return text.toString();
    }

    private static TreeMap<Integer, Long> parse(String cursor, String transport) {
        TreeMap<Integer, Long> next = new TreeMap<>();
        if (cursor == null) {
            return next;
        }
        if (!cursor.startsWith(CURSOR_PREFIX)) {
            throw new InvalidCursorException(cursor, transport);
        }
        String body = cursor.substring(CURSOR_PREFIX.length());
        if (body.isEmpty()) {
            return next;
        }
        try {
            for (String entry : body.split(",", -1)) {
                Matcher matcher = CURSOR_ENTRY.matcher(entry);
                if (!matcher.matches()
                        || next.put(Integer.parseInt(matcher.group(1)), Long.parseLong(matcher.group(2))) != null) {
                    throw new InvalidCursorException(cursor, transport);
                }
            }
        } catch (NumberFormatException e) {
            throw new InvalidCursorException(cursor, transport);
        }
        return next;
    }

    @Override
    public void close() {
        closed = true;
        for (KafkaConsumer<byte[], byte[]> reader; (reader = idle.pollFirst()) != null; ) {
            reader.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }
}
