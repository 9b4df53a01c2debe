package dev.herald.transport.kafka;

import dev.herald.transport.DeadLetter;
import dev.herald.transport.TransportException;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Each subscription's dead letters, in its own single-partition topic {@code <subscription>.dlq}.
 * The topic is an append-only log of three kinds of records (header {@link HeraldHeaders#KIND}):
 *
 * <ul>
 *   <li>{@code dead} — the event (same CloudEvents binding as the original record) with
 *       {@code herald_error}, {@code herald_attempts}, {@code herald_first_attempt_at},
 *       {@code herald_dead_at}, {@code herald_published_at} and {@code herald_origin} headers.
 *       Its offset is its dead-letter id.</li>
 *   <li>{@code redrive} — a copy of a dead letter's record referring to it ({@code herald_ref}).
 *       The subscription's consumer group reads this topic too and delivers it as a new event
 *       (attempts start again at 1); it also settles the dead letter.</li>
 *   <li>{@code discard} — a marker without value referring to a dead letter: settled for good.</li>
 * </ul>
 *
 * <p>The live dead letters are the {@code dead} records no later record refers to. Listing reads
 * the topic incrementally from where the last call stopped (one end-offset request when nothing
 * changed), so it sees what other processes appended. Why a marker rather than a tombstone: the
 * topic is not keyed by dead letter and is not compacted (compaction would need the key to be the
 * id, which is only known once written), and the markers keep a history of what was done.
 *
 * <p>Thread-safe: reads are serialised; writes go through the shared producer.
 */
final class DeadLetterStore implements AutoCloseable {

    private final KafkaOptions options;
    private final EventCodec codec;
    private final Producer<byte[], byte[]> producer;
    private final PartitionReader reader;
    private final Map<String, View> views = new HashMap<>();

    /** What has been read of one dead-letter topic. */
    private static final class View {
        long position;
        final NavigableMap<Long, ConsumerRecord<byte[], byte[]>> live = new TreeMap<>();
        final NavigableSet<Long> redrives = new TreeSet<>();
    }

    DeadLetterStore(KafkaOptions options, EventCodec codec, Producer<byte[], byte[]> producer, PartitionReader reader) {
        this.options = options;
        this.codec = codec;
        this.producer = producer;
        this.reader = reader;
    }

    /** Appends a dead letter for a delivery and returns once the broker acknowledged it. */
    void write(String subscription, Entry entry, int attempts, String error) {
        Headers headers = new RecordHeaders();
        HeraldHeaders.put(headers, HeraldHeaders.KIND, HeraldHeaders.DEAD);
        HeraldHeaders.put(headers, HeraldHeaders.ERROR, error);
        HeraldHeaders.put(headers, HeraldHeaders.ATTEMPTS, attempts);
        Instant first = entry.firstAttemptAt == null ? Instant.now() : entry.firstAttemptAt;
        HeraldHeaders.put(headers, HeraldHeaders.FIRST_ATTEMPT_AT, first.toEpochMilli());
        HeraldHeaders.put(headers, HeraldHeaders.DEAD_AT, Math.max(first.toEpochMilli(), System.currentTimeMillis()));
        HeraldHeaders.put(headers, HeraldHeaders.PUBLISHED_AT, entry.publishedAt.toEpochMilli());
        HeraldHeaders.put(headers, HeraldHeaders.ORIGIN, entry.partition.topic() + "/" + entry.partition.partition()
                + "@" + entry.offset);
        await(producer.send(codec.record(options.deadLetterTopic(subscription), 0, entry.event, entry.key, headers)),
                "dead-letter " + entry.event.getId());
    }

    /** Live dead letters, oldest first, at most {@code limit} with an id after {@code afterId}. */
    synchronized List<DeadLetter> list(String subscription, String afterId, int limit) {
        View view = catchUp(subscription);
        long after = afterId == null ? -1 : parseId(afterId);
        List<DeadLetter> letters = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : view.live.tailMap(after, false).values()) {
            if (letters.size() >= limit) {
                break;
            }
            letters.add(toDeadLetter(subscription, record));
        }
        return letters;
    }

    /** Live dead letters. */
    synchronized long count(String subscription) {
        return catchUp(subscription).live.size();
    }

    /** Offsets of redrive records in the dead-letter topic (for the backlog). */
    synchronized NavigableSet<Long> redrives(String subscription) {
        return new TreeSet<>(catchUp(subscription).redrives);
    }

    /** Redelivers live dead letters to the subscription; returns how many. */
    synchronized int redrive(String subscription, List<String> ids) {
        return settle(subscription, ids, true);
    }

    /** Discards live dead letters for good; returns how many. */
    synchronized int discard(String subscription, List<String> ids) {
        return settle(subscription, ids, false);
    }

    /** Forgets what was read of a deleted subscription's topic. */
    synchronized void forget(String subscription) {
        views.remove(subscription);
    }

    private int settle(String subscription, List<String> ids, boolean redrive) {
        View view = catchUp(subscription);
        String topic = options.deadLetterTopic(subscription);
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        for (String id : new LinkedHashSet<>(ids)) {
            Long offset = tryParseId(id);
            ConsumerRecord<byte[], byte[]> dead = offset == null ? null : view.live.get(offset);
            if (dead == null) {
                continue;
            }
            Headers headers = new RecordHeaders();
            byte[] value = null;
            if (redrive) {
                // The dead letter's own bytes: the event is redelivered exactly as it was published.
                for (Header header : dead.headers()) {
                    if (!header.key().startsWith("herald_")) {
                        headers.add(header.key(), header.value());
                    }
                }
                HeraldHeaders.put(headers, HeraldHeaders.PUBLISHED_AT,
                        HeraldHeaders.getLong(dead.headers(), HeraldHeaders.PUBLISHED_AT, dead.timestamp()));
                value = dead.value();
            }
            HeraldHeaders.put(headers, HeraldHeaders.KIND, redrive ? HeraldHeaders.REDRIVE : HeraldHeaders.DISCARD);
            HeraldHeaders.put(headers, HeraldHeaders.REF, offset);
            sends.add(producer.send(new ProducerRecord<>(topic, 0, null, dead.key(), value, headers)));
        }
        for (Future<RecordMetadata> send : sends) {
            await(send, (redrive ? "redrive" : "discard") + " dead letters of " + subscription);
        }
        catchUp(subscription);
        return sends.size();
    }

    private View catchUp(String subscription) {
        View view = views.computeIfAbsent(subscription, s -> new View());
        view.position = reader.readToEnd(options.deadLetterTopic(subscription), view.position, record -> apply(view, record));
        return view;
    }

    private static void apply(View view, ConsumerRecord<byte[], byte[]> record) {
        String kind = HeraldHeaders.get(record.headers(), HeraldHeaders.KIND);
        if (HeraldHeaders.DEAD.equals(kind)) {
            view.live.put(record.offset(), record);
        } else if (HeraldHeaders.REDRIVE.equals(kind) || HeraldHeaders.DISCARD.equals(kind)) {
            long ref = HeraldHeaders.getLong(record.headers(), HeraldHeaders.REF, -1);
            view.live.remove(ref);
            if (HeraldHeaders.REDRIVE.equals(kind)) {
                view.redrives.add(record.offset());
            }
        }
    }

    private DeadLetter toDeadLetter(String subscription, ConsumerRecord<byte[], byte[]> record) {
        Headers headers = record.headers();
        CloudEvent event = codec.read(record.topic(), headers, record.value());
        long deadAt = HeraldHeaders.getLong(headers, HeraldHeaders.DEAD_AT, record.timestamp());
        long firstAt = HeraldHeaders.getLong(headers, HeraldHeaders.FIRST_ATTEMPT_AT, deadAt);
        return new DeadLetter(String.valueOf(record.offset()), subscription, event,
                (int) HeraldHeaders.getLong(headers, HeraldHeaders.ATTEMPTS, 1),
                HeraldHeaders.get(headers, HeraldHeaders.ERROR),
                Instant.ofEpochMilli(firstAt), Instant.ofEpochMilli(deadAt));
    }

    private void await(Future<RecordMetadata> send, String what) {
        Duration timeout = options.requestTimeout();
        try {
            send.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new TransportException("cannot " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new TransportException("cannot " + what + " within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted: " + what, e);
        }
    }

    private static long parseId(String id) {
        Long offset = tryParseId(id);
        if (offset == null) {
            throw new IllegalArgumentException("not a dead-letter id: " + id);
        }
        return offset;
    }

    private static Long tryParseId(String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public synchronized void close() {
        reader.close();
    }
}
