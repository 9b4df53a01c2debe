package dev.herald.transport.kafka;

import dev.herald.transport.SubscriptionSpec;
import dev.herald.transport.TransportException;
import io.cloudevents.CloudEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's member of one subscription's consumer group. One member serves every
 * {@link KafkaSubscriptionConsumer} of the subscription opened on one transport: the consumers
 * share its partitions through an in-memory {@link DeliveryQueue}, and Kafka's group protocol shares
 * the partitions between processes. Why not one Kafka consumer per Herald consumer: competing
 * consumers in one process would then only ever split whole partitions, every open and close would
 * rebalance the group, and per-key holds would still have to be kept in memory.
 *
 * <p>A platform thread owns the {@link KafkaConsumer} (which is single-threaded): it fetches the
 * subscription's topic and dead-letter topic (for redriven events), turns records into entries,
 * pauses partitions with too much unsettled work, commits, and runs rebalance callbacks, seeks and
 * rebuilds. Consumers lease entries and settle them from any thread under {@link #lock}.
 *
 * <p><b>Commits.</b> Every {@code commitInterval} the member commits, per partition, the offset of
 * the first unsettled record, with {@link CommitMetadata} naming the settled records above it and
 * the attempts of unsettled ones. Never past an unsettled record; settled records above it are
 * not delivered again by the next owner as far as the metadata could name them.
 *
 * <p><b>Rebalances.</b> When partitions are revoked, nothing more of them is handed out, the member
 * waits up to {@code revokeTimeout} for their in-flight deliveries to settle, commits, and drops
 * them; deliveries still in flight then become stale (settling them does nothing) and the new
 * owner delivers them again: a rebalance loses nothing and repeats only what was in flight.
 * Lost partitions (session expired) are dropped without a commit.
 */
final class GroupMember {

    private static final Logger LOG = LoggerFactory.getLogger(GroupMember.class);
    /** How long one fetch may block: bounds how late commits, seeks and close are served. */
    private static final Duration FETCH_WAIT = Duration.ofMillis(100);

    private final String subscription;
    private final String topic;
    private final String deadLetterTopic;
    private final KafkaOptions options;
    private final EventCodec codec;
    private final DeadLetterStore deadLetters;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;

    /** Guards ledgers, the queue, entries and attached consumers. */
    final ReentrantLock lock = new ReentrantLock();
    /** Signalled whenever something may have become deliverable or settled. */
    private final Condition changed = lock.newCondition();
    private final Map<TopicPartition, PartitionLedger> ledgers = new HashMap<>();
    private final DeliveryQueue queue;
    private final Set<KafkaSubscriptionConsumer> attached = new HashSet<>();
    private final AtomicLong leases = new AtomicLong();
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private volatile SubscriptionSpec spec;
    private volatile boolean running = true;
    private volatile Throwable failure;
    private long lastCommit;

    GroupMember(SubscriptionSpec spec, KafkaOptions options, KafkaClients clients, EventCodec codec,
                DeadLetterStore deadLetters) {
        this.spec = spec;
        this.subscription = spec.name();
        this.topic = spec.topic();
        this.deadLetterTopic = options.deadLetterTopic(spec.name());
        this.options = options;
        this.codec = codec;
        this.deadLetters = deadLetters;
        this.queue = new DeliveryQueue(spec.ordered());
        this.consumer = clients.groupConsumer(options.groupId(spec.name()));
        this.thread = new Thread(this::run, "herald-kafka-" + spec.name());
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    String subscription() {
        return subscription;
    }

    // ---- consumers (any thread) ----

    /** Attaches a consumer; false when the member is stopping (the caller then starts a new one). */
    boolean attach(KafkaSubscriptionConsumer consumer) {
        lock.lock();
        try {
            if (!running) {
                return false;
            }
            attached.add(consumer);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Detaches a consumer: its unsettled deliveries are released for the other consumers (or the
     * next owner of their partitions) and it gets nothing more. Returns how many consumers remain.
     */
    int detach(KafkaSubscriptionConsumer consumer) {
        lock.lock();
        try {
            for (PartitionLedger ledger : ledgers.values()) {
                for (Entry entry : ledger.entries()) {
                    if (entry.holder == consumer && entry.state == Entry.State.LEASED) {
                        queue.release(entry);
                    }
                }
            }
            attached.remove(consumer);
            changed.signalAll();
            return attached.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Leases up to {@code max} entries to {@code consumer}, waiting up to {@code timeoutNanos} for
     * one to become available; returns early as soon as any is.
     */
    List<Entry> poll(KafkaSubscriptionConsumer consumer, int max, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        lock.lockInterruptibly();
        try {
            while (true) {
                if (consumer.isClosed()) {
                    return List.of();
                }
                if (failure != null) {
                    throw new TransportException("the consumer group member of " + subscription + " failed: "
                            + failure.getMessage(), failure);
                }
                List<Entry> taken = queue.take(max, consumer, leases.incrementAndGet(), ledgers);
                if (!taken.isEmpty()) {
                    return taken;
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return List.of();
                }
                changed.awaitNanos(Math.min(remaining, queue.nanosUntilNextVisible()));
            }
        } finally {
            lock.unlock();
        }
    }

    /** Acknowledges a lease; nothing happens when it is no longer current. */
    void ack(Entry entry, long lease) {
        lock.lock();
        try {
            if (entry.state == Entry.State.LEASED && entry.lease == lease) {
                settle(entry);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Fails a lease: the entry is handed out again, to any consumer, once {@code delay} has passed. */
    void nack(Entry entry, long lease, Duration delay) {
        lock.lock();
        try {
            if (entry.state == Entry.State.LEASED && entry.lease == lease) {
                queue.retry(entry, System.nanoTime() + delay.toNanos());
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves a leased entry to the dead-letter topic, then settles it. The entry stays in flight
     * (holding its key) while the dead letter is written; when writing fails the lease is kept and
     * the caller gets the exception.
     */
    void deadLetter(Entry entry, long lease, String error) {
        int attempts;
        lock.lock();
        try {
            if (entry.state != Entry.State.LEASED || entry.lease != lease) {
                return;
            }
            entry.state = Entry.State.DEAD_LETTERING;
            attempts = entry.attempts;
        } finally {
            lock.unlock();
        }
        boolean written = false;
        try {
            deadLetters.write(subscription, entry, attempts, error);
            written = true;
        } finally {
            lock.lock();
            try {
                if (entry.state == Entry.State.DEAD_LETTERING && entry.lease == lease) {
                    if (written) {
                        settle(entry);
                    } else {
                        entry.state = Entry.State.LEASED;
                    }
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private void settle(Entry entry) {
        queue.settled(entry);
        PartitionLedger ledger = ledgers.get(entry.partition);
        if (ledger != null) {
            ledger.settle(entry.offset);
        }
        changed.signalAll();
    }

    // ---- transport (any thread) ----

    /** Applies a new definition: delivery delay for records fetched from now on; a change of ordering rebuilds. */
    void update(SubscriptionSpec updated) {
        boolean reorder = updated.ordered() != spec.ordered();
        spec = updated;
        if (reorder) {
            commands.add(this::rebuild);
        }
    }

    /** Deliveries leased and unsettled. */
    int inFlight() {
        lock.lock();
        try {
            return queue.leasedCount();
        } finally {
            lock.unlock();
        }
    }

    /** This member's backlog of a partition it owns, or -1 when it does not own it. */
    long backlog(TopicPartition partition, long endOffset) {
        lock.lock();
        try {
            PartitionLedger ledger = ledgers.get(partition);
            return ledger == null ? -1 : ledger.backlog(endOffset);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves the partitions this member owns to the given offsets (replay): their buffered entries
     * and pending retries are dropped, in-flight ones become stale, and the new offsets are
     * committed. Returns the partitions it moved.
     */
    Set<TopicPartition> seek(Map<TopicPartition, Long> targets) {
        CompletableFuture<Set<TopicPartition>> done = new CompletableFuture<>();
        commands.add(() -> {
            try {
                done.complete(applySeek(targets));
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        try {
            return done.get(options.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new TransportException("cannot move " + subscription + ": " + e.getCause().getMessage(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new TransportException("cannot move " + subscription + " within " + options.requestTimeout(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted while moving " + subscription, e);
        }
    }

    /** Stops fetching, commits what was settled, leaves the group and waits for all of it. */
    void close() {
        lock.lock();
        try {
            running = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- the fetching thread ----

    private void run() {
        try {
            consumer.subscribe(List.of(topic, deadLetterTopic), new Rebalance());
            while (running) {
                runCommands();
                // No wakeup() anywhere: it would also abort blocking calls inside rebalance
                // callbacks. Commands and close wait for the current fetch instead (FETCH_WAIT).
                ConsumerRecords<byte[], byte[]> records = consumer.poll(FETCH_WAIT);
                if (!records.isEmpty()) {
                    add(records);
                }
                flowControl();
                commit(false);
            }
        } catch (Throwable e) {
            failure = e;
            LOG.error("consumer group member of subscription {} failed; its consumers fail their next poll", subscription, e);
        } finally {
            shutdown();
        }
    }

    private void shutdown() {
        try {
            commit(true);
        } catch (RuntimeException e) {
            LOG.warn("final commit of subscription {} failed; unsettled work since the last commit is delivered again",
                    subscription, e);
        }
        lock.lock();
        try {
            running = false;
            for (PartitionLedger ledger : ledgers.values()) {
                queue.drop(ledger.entries());
            }
            ledgers.clear();
            queue.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        long closing = System.nanoTime();
        try {
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(10)));
            LOG.debug("subscription {} left its group in {} ms", subscription, (System.nanoTime() - closing) / 1_000_000);
        } catch (RuntimeException e) {
            LOG.warn("closing the consumer of subscription {} failed", subscription, e);
        }
    }

    private void runCommands() {
        Runnable command;
        while ((command = commands.poll()) != null) {
            command.run();
        }
    }

    private void add(ConsumerRecords<byte[], byte[]> records) {
        // Decoding happens outside the lock: consumers keep leasing and settling meanwhile.
        List<ConsumerRecord<byte[], byte[]>> fetched = new ArrayList<>(records.count());
        List<CloudEvent> events = new ArrayList<>(records.count());
        for (ConsumerRecord<byte[], byte[]> record : records) {
            fetched.add(record);
            events.add(decode(record));
        }
        long delayNanos = spec.deliveryDelay().toNanos();
        long nowNanos = System.nanoTime();
        long nowMillis = System.currentTimeMillis();
        lock.lock();
        try {
            for (int i = 0; i < fetched.size(); i++) {
                ConsumerRecord<byte[], byte[]> record = fetched.get(i);
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                PartitionLedger ledger = ledgers.get(partition);
                if (ledger == null) {
                    continue;
                }
                CloudEvent event = events.get(i);
                if (ledger.isSettled(record.offset()) || event == null) {
                    ledger.fetched(record.offset(), null);
                    continue;
                }
                boolean redriven = record.topic().equals(deadLetterTopic);
                Instant publishedAt = Instant.ofEpochMilli(redriven
                        ? HeraldHeaders.getLong(record.headers(), HeraldHeaders.PUBLISHED_AT, record.timestamp())
                        : record.timestamp());
                // Redriven events have already left their key's order: they are not held back.
                String key = redriven || record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
                long dueInNanos = (publishedAt.toEpochMilli() - nowMillis) * 1_000_000L + delayNanos;
                Entry entry = new Entry(partition, record.offset(), key, event, publishedAt,
                        ledger.priorAttempts(record.offset()), nowNanos + Math.max(0, dueInNanos));
                ledger.fetched(record.offset(), entry);
                queue.add(entry);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The event of a record, or null for records that are not deliveries (dead-letter bookkeeping, garbage). */
    private CloudEvent decode(ConsumerRecord<byte[], byte[]> record) {
        if (record.topic().equals(deadLetterTopic)
                && !HeraldHeaders.REDRIVE.equals(HeraldHeaders.get(record.headers(), HeraldHeaders.KIND))) {
            return null;
        }
        try {
            return codec.read(record.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            // Not a CloudEvent (another producer wrote to the topic): it cannot be delivered or
            // dead-lettered as an event, so it is skipped, loudly.
            LOG.warn("subscription {} skips {}/{}@{}: not a CloudEvent ({})", subscription, record.topic(),
                    record.partition(), record.offset(), e.getMessage());
            return null;
        }
    }

    /** Pauses partitions with too much unsettled work; resumes them at half. */
    private void flowControl() {
        int max = options.maxBufferedPerPartition();
        List<TopicPartition> pause = new ArrayList<>();
        List<TopicPartition> resume = new ArrayList<>();
        lock.lock();
        try {
            for (PartitionLedger ledger : ledgers.values()) {
                boolean full = ledger.unsettledCount() >= max || ledger.window() >= 10L * max;
                if (full && !ledger.paused) {
                    ledger.paused = true;
                    pause.add(ledger.partition);
                } else if (ledger.paused && ledger.unsettledCount() <= max / 2 && ledger.window() <= 5L * max) {
                    ledger.paused = false;
                    resume.add(ledger.partition);
                }
            }
        } finally {
            lock.unlock();
        }
        if (!pause.isEmpty()) {
            consumer.pause(pause);
        }
        if (!resume.isEmpty()) {
            consumer.resume(resume);
        }
    }

    /** Commits every partition whose ledger changed: synchronously when forced, else every commit interval. */
    private void commit(boolean force) {
        long now = System.nanoTime();
        if (!force && now - lastCommit < options.commitInterval().toNanos()) {
            return;
        }
        lastCommit = now;
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        Map<TopicPartition, PartitionLedger> owners = new HashMap<>();
        lock.lock();
        try {
            for (PartitionLedger ledger : ledgers.values()) {
                OffsetAndMetadata offset = ledger.toCommit();
                if (offset != null) {
                    offsets.put(ledger.partition, offset);
                    owners.put(ledger.partition, ledger);
                }
            }
        } finally {
            lock.unlock();
        }
        if (offsets.isEmpty()) {
            return;
        }
        if (force) {
            consumer.commitSync(offsets, options.requestTimeout());
            committed(offsets, owners);
        } else {
            consumer.commitAsync(offsets, (done, error) -> {
                if (error == null) {
                    committed(offsets, owners);
                } else {
                    LOG.debug("commit of subscription {} failed; retried at the next interval", subscription, error);
                }
            });
        }
    }

    private void committed(Map<TopicPartition, OffsetAndMetadata> offsets, Map<TopicPartition, PartitionLedger> owners) {
        lock.lock();
        try {
            offsets.forEach((partition, offset) -> {
                PartitionLedger ledger = owners.get(partition);
                if (ledgers.get(partition) == ledger) {
                    ledger.committed(offset);
                }
            });
        } finally {
            lock.unlock();
        }
    }

    private Set<TopicPartition> applySeek(Map<TopicPartition, Long> targets) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        lock.lock();
        try {
            for (Map.Entry<TopicPartition, Long> target : targets.entrySet()) {
                PartitionLedger old = ledgers.get(target.getKey());
                if (old == null) {
                    continue;
                }
                queue.drop(old.entries());
                OffsetAndMetadata offset = new OffsetAndMetadata(target.getValue(), "");
                PartitionLedger fresh = new PartitionLedger(target.getKey(), offset);
                fresh.paused = old.paused;
                ledgers.put(target.getKey(), fresh);
                offsets.put(target.getKey(), offset);
            }
        } finally {
            lock.unlock();
        }
        offsets.forEach((partition, offset) -> consumer.seek(partition, offset.offset()));
        if (!offsets.isEmpty()) {
            consumer.commitSync(offsets, options.requestTimeout());
            lock.lock();
            try {
                offsets.forEach((partition, offset) -> ledgers.get(partition).committed(offset));
            } finally {
                lock.unlock();
            }
        }
        return offsets.keySet();
    }

    /**
     * Rebuilds the queue after ordering was switched: every partition goes back to its commit
     * point, keeping what its ledger knows (settled records, attempts) as if committed and read back.
     * Entries in flight become stale and are delivered again.
     */
    private void rebuild() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        lock.lock();
        try {
            for (PartitionLedger ledger : List.copyOf(ledgers.values())) {
                long point = ledger.commitPoint();
                if (point < 0) {
                    continue;
                }
                OffsetAndMetadata snapshot = ledger.toCommit();
                OffsetAndMetadata offset = snapshot != null ? snapshot : new OffsetAndMetadata(point, "");
                queue.drop(ledger.entries());
                ledgers.put(ledger.partition, new PartitionLedger(ledger.partition, offset));
                offsets.put(ledger.partition, offset);
            }
            queue.clear();
            queue.ordered(spec.ordered());
        } finally {
            lock.unlock();
        }
        offsets.forEach((partition, offset) -> consumer.seek(partition, offset.offset()));
        if (!offsets.isEmpty()) {
            consumer.commitSync(offsets, options.requestTimeout());
        }
    }

    /** Rebalance callbacks: they run on the fetching thread, inside {@code poll}. */
    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            Map<TopicPartition, OffsetAndMetadata> committed =
                    consumer.committed(new HashSet<>(partitions), options.requestTimeout());
            lock.lock();
            try {
                for (TopicPartition partition : partitions) {
                    ledgers.put(partition, new PartitionLedger(partition, committed.get(partition)));
                }
            } finally {
                lock.unlock();
            }
            LOG.debug("subscription {} was assigned {}", subscription, partitions);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            release(partitions, true);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // Another member may own them already: committing now could overwrite its progress.
            release(partitions, false);
        }
    }

    private void release(Collection<TopicPartition> partitions, boolean commit) {
        if (partitions.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        lock.lock();
        try {
            List<PartitionLedger> leaving = new ArrayList<>();
            for (TopicPartition partition : partitions) {
                PartitionLedger ledger = ledgers.get(partition);
                if (ledger != null) {
                    ledger.revoking = true;
                    leaving.add(ledger);
                }
            }
            if (commit) {
                long deadline = System.nanoTime() + options.revokeTimeout().toNanos();
                while (inFlight(leaving) && System.nanoTime() < deadline) {
                    changed.awaitNanos(Math.max(1, deadline - System.nanoTime()));
                }
            }
            for (PartitionLedger ledger : leaving) {
                if (commit) {
                    OffsetAndMetadata offset = ledger.toCommit();
                    if (offset != null) {
                        offsets.put(ledger.partition, offset);
                    }
                }
                queue.drop(ledger.entries());
                ledgers.remove(ledger.partition);
            }
            changed.signalAll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
        if (!offsets.isEmpty()) {
            try {
                consumer.commitSync(offsets, options.requestTimeout());
            } catch (RuntimeException e) {
                LOG.warn("commit of revoked partitions {} of subscription {} failed; their unsettled work since the "
                        + "last commit is delivered again", offsets.keySet(), subscription, e);
            }
        }
        LOG.debug("subscription {} released {}", subscription, partitions);
    }

    private static boolean inFlight(List<PartitionLedger> ledgers) {
        for (PartitionLedger ledger : ledgers) {
            for (Entry entry : ledger.entries()) {
                if (entry.state == Entry.State.LEASED || entry.state == Entry.State.DEAD_LETTERING) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "GroupMember[" + subscription + "]";
    }
}
