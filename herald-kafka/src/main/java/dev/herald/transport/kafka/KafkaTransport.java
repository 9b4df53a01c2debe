package dev.herald.transport.kafka;

import dev.herald.transport.Capability;
import dev.herald.transport.Consumer;
import dev.herald.transport.DeadLetter;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.LogPage;
import dev.herald.transport.LogQuery;
import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionSpec;
import dev.herald.transport.SubscriptionStats;
import dev.herald.transport.Transport;
import dev.herald.transport.TransportException;
import dev.herald.transport.spi.Lifecycle;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Herald over Apache Kafka, with the official {@code kafka-clients} only.
 *
 * <pre>{@code
 * KafkaOptions options = KafkaOptions.builder("broker-1:9092,broker-2:9092")
 *         .clientProperty("security.protocol", "SASL_SSL")
 *         .clientProperty("sasl.mechanism", "SCRAM-SHA-512")
 *         .clientProperty("sasl.jaas.config", jaas)
 *         .partitions(12).replicationFactor(3).topicConfig("min.insync.replicas", "2")
 *         .build();
 * try (Transport transport = KafkaTransport.open(options)) {
 *     transport.createSubscription(SubscriptionSpec.of("audit", "events").withOrdering(true));
 *     transport.publish("events", List.of(event));
 * }
 * }</pre>
 *
 * <p><b>Events.</b> A topic is a Kafka topic, created on first use with
 * {@link KafkaOptions#partitions()} partitions, {@link KafkaOptions#replicationFactor()} and
 * {@link KafkaOptions#topicConfigs()} ({@code LogAppendTime} timestamps, 8 MiB records). Each event
 * is one record in the CloudEvents Kafka binding (binary mode by default), keyed by its ordering
 * key. {@link #publish} sends every record through one idempotent producer ({@code acks=all}) and
 * returns once the broker acknowledged all of them. A batch is not atomic: when publish fails, some
 * of its events may have been stored (they are then delivered; the caller may publish them again,
 * and consumers deduplicate by event id), so {@link Capability#ATOMIC_BATCH} is not declared.
 *
 * <p><b>Subscriptions.</b> Each subscription is a consumer group ({@code herald.<name>}) plus a
 * dead-letter topic ({@code <name>.dlq}), and its definition is a record in a compacted registry
 * topic ({@code __herald_subscriptions}), so it survives restarts and every process sees it.
 * Creating a subscription commits its start position for the group (earliest, latest, or the first
 * offsets at a timestamp), so it starts there whenever its first consumer comes. Every process's
 * consumers of a subscription share one group member (see {@code GroupMember}): offsets are
 * committed only up to the first unsettled record, with commit metadata naming records settled
 * beyond it; nack delays, delivery delays and per-key holds are kept in memory on the member, so a
 * failing key waits while other keys flow. Dead letters are records of the dead-letter topic;
 * redrive appends a copy that the group reads back as a new delivery; discard appends a marker.
 *
 * <p><b>Query.</b> {@link #query} is a bounded scan: {@code offsetsForTimes} finds where a time
 * range starts, then the partitions' records are merged by store time and filtered until the page is
 * full or the query's {@code maxScan} records were read; the cursor names each partition's next
 * offset (see {@code LogScanner}).
 *
 * <p><b>Capabilities.</b> {@link Capability#DURABLE}, {@link Capability#ORDERING},
 * {@link Capability#REPLAY}, {@link Capability#CONSUMER_GROUPS}, {@link Capability#QUERY}. Not {@link Capability#NATIVE_DELAY}
 * (Kafka has no per-record visibility time) nor {@link Capability#ATOMIC_BATCH}.
 *
 * <p><b>Seek</b> needs the group to be idle elsewhere: partitions owned by this process's member
 * are moved by it; a group with members in other processes is refused (Kafka does not let an
 * outsider move an active group's offsets).
 */
public final class KafkaTransport implements Transport {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaTransport.class);
    private static final Set<Capability> CAPABILITIES = Set.copyOf(EnumSet.of(Capability.DURABLE,
            Capability.ORDERING, Capability.REPLAY, Capability.CONSUMER_GROUPS, Capability.QUERY));

    private final KafkaOptions options;
    private final KafkaClients clients;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaAdmin admin;
    private final EventCodec codec;
    private final SubscriptionRegistry registry;
    private final DeadLetterStore deadLetters;
    private final LogScanner scanner;
    /** This process's member per subscription; guarded by itself. */
    private final Map<String, GroupMember> members = new HashMap<>();
    private final Set<KafkaSubscriptionConsumer> consumers = ConcurrentHashMap.newKeySet();
    private final Lifecycle lifecycle = new Lifecycle("the Kafka transport");

    private KafkaTransport(KafkaOptions options, KafkaClients clients, KafkaProducer<byte[], byte[]> producer,
                           KafkaAdmin admin, SubscriptionRegistry registry, DeadLetterStore deadLetters, EventCodec codec) {
        this.options = options;
        this.clients = clients;
        this.producer = producer;
        this.admin = admin;
        this.registry = registry;
        this.deadLetters = deadLetters;
        this.codec = codec;
        this.scanner = new LogScanner(clients::queryReader, codec, options.requestTimeout(), options.queryTimeSkew());
    }

    /**
     * Connects to the cluster, creating the registry topic if needed and reading the subscription
     * definitions.
     *
     * @throws TransportException when the cluster cannot be reached or refuses
     */
    public static KafkaTransport open(KafkaOptions options) {
        Objects.requireNonNull(options, "options");
        KafkaClients clients = new KafkaClients(options);
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            KafkaAdmin admin = new KafkaAdmin(clients.admin(), options);
            opened.add(admin);
            KafkaProducer<byte[], byte[]> producer = clients.producer();
            opened.add(() -> producer.close(java.time.Duration.ofSeconds(5)));
            EventCodec codec = new EventCodec(options.encoding());
            admin.ensureRegistryTopic(options.registryTopic());
            SubscriptionRegistry registry = new SubscriptionRegistry(options.registryTopic(),
                    new PartitionReader(clients.reader("registry"), options.requestTimeout()), producer,
                    options.requestTimeout());
            opened.add(registry);
            DeadLetterStore deadLetters = new DeadLetterStore(options, codec, producer,
                    new PartitionReader(clients.reader("dead-letters"), options.requestTimeout()));
            opened.add(deadLetters);
            registry.find("");
            return new KafkaTransport(options, clients, producer, admin, registry, deadLetters, codec);
        } catch (RuntimeException e) {
            for (int i = opened.size() - 1; i >= 0; i--) {
                try {
                    opened.get(i).close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            if (e instanceof TransportException transportException) {
                throw transportException;
            }
            throw new TransportException("cannot connect to Kafka at " + options.bootstrapServers() + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public Set<Capability> capabilities() {
        return CAPABILITIES;
    }

    /**
     * Sends every event as one record and returns once the broker acknowledged all of them
     * ({@code acks=all}). Not atomic: on failure some events may be stored.
     */
    @Override
    public void publish(String topic, List<EncodedEvent> events) {
        requireOpen();
        requireLegal(topic, "topic");
        Objects.requireNonNull(events, "events");
        for (EncodedEvent event : events) {
            Objects.requireNonNull(event, "events must not contain null");
        }
        if (events.isEmpty()) {
            return;
        }
        admin.ensureEventTopic(topic);
        List<Future<RecordMetadata>> sends = new ArrayList<>(events.size());
        try {
            for (EncodedEvent event : events) {
                sends.add(producer.send(codec.record(topic, event)));
            }
        } catch (RuntimeException e) {
            // Closed producer, serialization failure, buffer exhausted for max.block.ms …
            throw new TransportException("cannot publish to " + topic + ": " + e.getMessage(), e);
        }
        Throwable failure = null;
        for (Future<RecordMetadata> send : sends) {
            try {
                send.get();
            } catch (ExecutionException e) {
                failure = failure == null ? e.getCause() : failure;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TransportException("interrupted while publishing to " + topic, e);
            }
        }
        if (failure != null) {
            throw new TransportException("cannot publish to " + topic + ": " + failure.getMessage(), failure);
        }
    }

    /**
     * Creates the subscription: its topic and dead-letter topic if needed, its start position
     * committed for its group, then its definition. For an existing subscription, stores the new
     * ordering and delivery delay; this process's consumers apply them at once, other processes
     * when their consumers next open.
     */
    @Override
    public synchronized void createSubscription(SubscriptionSpec spec) {
        Objects.requireNonNull(spec, "spec");
        requireOpen();
        requireLegal(spec.name(), "subscription");
        requireLegal(spec.topic(), "topic");
        Optional<SubscriptionSpec> existing = registry.find(spec.name());
        if (existing.isPresent()) {
            SubscriptionSpec stored = existing.get();
            if (!stored.topic().equals(spec.topic())) {
                throw new IllegalArgumentException("subscription " + spec.name() + " reads topic " + stored.topic()
                        + ", not " + spec.topic() + ": delete it to move it");
            }
            SubscriptionSpec updated = new SubscriptionSpec(stored.name(), stored.topic(), stored.start(), spec.ordered(),
                    spec.deliveryDelay());
            if (!updated.equals(stored)) {
                registry.put(updated);
                GroupMember member;
                synchronized (members) {
                    member = members.get(spec.name());
                }
                if (member != null) {
                    member.update(updated);
                }
            }
            return;
        }
        String deadLetterTopic = options.deadLetterTopic(spec.name());
        admin.ensureEventTopic(spec.topic());
        admin.ensureDeadLetterTopic(deadLetterTopic);
        Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
        admin.offsets(spec.topic(), spec.start()).forEach((p, offset) -> start.put(p, new OffsetAndMetadata(offset)));
        // A dead-letter topic left by an earlier subscription of this name holds nothing for this one.
        admin.endOffsets(List.of(new TopicPartition(deadLetterTopic, 0)))
                .forEach((p, offset) -> start.put(p, new OffsetAndMetadata(offset)));
        admin.commit(options.groupId(spec.name()), start);
        registry.put(spec);
    }

    @Override
    public Optional<SubscriptionSpec> subscription(String name) {
        Objects.requireNonNull(name, "name");
        requireOpen();
        return registry.find(name);
    }

    /**
     * Deletes the definition, closes this process's consumers of it, then deletes the consumer group
     * and the dead-letter topic. A group with members in other processes cannot be deleted; that is
     * logged, and their consumers stop at their next open.
     */
    @Override
    public synchronized void deleteSubscription(String name) {
        Objects.requireNonNull(name, "name");
        requireOpen();
        if (registry.find(name).isEmpty()) {
            return;
        }
        registry.remove(name);
        for (KafkaSubscriptionConsumer consumer : List.copyOf(consumers)) {
            if (consumer.subscription().equals(name)) {
                consumer.close();
            }
        }
        try {
            admin.deleteGroup(options.groupId(name));
        } catch (TransportException e) {
            LOG.warn("subscription {} deleted, but its consumer group could not be: {}", name, e.getMessage());
        }
        try {
            admin.deleteTopic(options.deadLetterTopic(name));
        } catch (TransportException e) {
            LOG.warn("subscription {} deleted, but its dead-letter topic could not be: {}", name, e.getMessage());
        }
        deadLetters.forget(name);
    }

    @Override
    public Consumer openConsumer(String subscription) {
        Objects.requireNonNull(subscription, "subscription");
        requireOpen();
        SubscriptionSpec spec = registry.find(subscription)
                .orElseThrow(() -> new IllegalArgumentException("no subscription named " + subscription));
        KafkaSubscriptionConsumer consumer;
        synchronized (members) {
            GroupMember member = members.get(subscription);
            while (true) {
                if (member == null) {
                    member = new GroupMember(spec, options, clients, codec, deadLetters);
                    members.put(subscription, member);
                    member.start();
                }
                consumer = new KafkaSubscriptionConsumer(member, this::closed);
                if (member.attach(consumer)) {
                    break;
                }
                member = null;
            }
            consumers.add(consumer);
        }
        if (lifecycle.isClosed()) {
            // close() may have missed it; a consumer must not outlive its transport.
            consumer.close();
            throw lifecycle.closedError();
        }
        return consumer;
    }

    /** A consumer closed: the member of its subscription goes when its last consumer does. */
    private void closed(KafkaSubscriptionConsumer consumer) {
        consumers.remove(consumer);
        GroupMember member = consumer.member();
        boolean last;
        synchronized (members) {
            last = members.get(consumer.subscription()) == member && member.detach(consumer) == 0;
            if (last) {
                members.remove(consumer.subscription());
            }
        }
        if (last) {
            member.close();
        }
    }

    @Override
    public void seek(String subscription, StartPosition position) {
        Objects.requireNonNull(subscription, "subscription");
        Objects.requireNonNull(position, "position");
        requireOpen();
        SubscriptionSpec spec = registry.find(subscription)
                .orElseThrow(() -> new IllegalArgumentException("no subscription named " + subscription));
        Map<TopicPartition, Long> targets = admin.offsets(spec.topic(), position);
        GroupMember member;
        synchronized (members) {
            member = members.get(subscription);
        }
        Set<TopicPartition> moved = member == null ? Set.of() : member.seek(targets);
        Map<TopicPartition, OffsetAndMetadata> rest = new HashMap<>();
        targets.forEach((partition, offset) -> {
            if (!moved.contains(partition)) {
                rest.put(partition, new OffsetAndMetadata(offset));
            }
        });
        if (rest.isEmpty()) {
            return;
        }
        if (member != null) {
            throw new TransportException("cannot move " + subscription + ": partitions " + rest.keySet()
                    + " are owned by consumers in other processes; close them first");
        }
        admin.commit(options.groupId(subscription), rest);
    }

    /**
     * The backlog counts unsettled events of the subscription's topic and pending redrives: from
     * this process's member for the partitions it owns, else from the group's committed offsets and
     * their metadata. In flight counts this process's consumers only.
     */
    @Override
    public SubscriptionStats stats(String subscription) {
        Objects.requireNonNull(subscription, "subscription");
        requireOpen();
        SubscriptionSpec spec = registry.find(subscription)
                .orElseThrow(() -> new IllegalArgumentException("no subscription named " + subscription));
        TopicPartition deadLetterPartition = new TopicPartition(options.deadLetterTopic(subscription), 0);
        List<TopicPartition> partitions = new ArrayList<>(admin.partitions(spec.topic()));
        partitions.add(deadLetterPartition);
        Map<TopicPartition, Long> ends = admin.endOffsets(partitions);
        Map<TopicPartition, OffsetAndMetadata> committed = admin.committed(options.groupId(subscription));
        GroupMember member;
        synchronized (members) {
            member = members.get(subscription);
        }
        NavigableSet<Long> redrives = deadLetters.redrives(subscription);
        long backlog = 0;
        for (TopicPartition partition : partitions) {
            long end = ends.getOrDefault(partition, 0L);
            long owned = member == null ? -1 : member.backlog(partition, end);
            if (owned >= 0) {
                backlog += owned;
                continue;
            }
            OffsetAndMetadata offset = committed.get(partition);
            long from = offset == null ? 0 : offset.offset();
            Set<Long> settled = offset == null ? Set.of()
                    : CommitMetadata.decode(offset.offset(), offset.metadata()).settled();
            if (partition.equals(deadLetterPartition)) {
                // Only redrives are deliveries; dead letters and discard markers are bookkeeping.
                for (long redrive : redrives.tailSet(from, true)) {
                    backlog += settled.contains(redrive) ? 0 : 1;
                }
            } else {
                backlog += Math.max(0, end - from - settled.size());
            }
        }
        int inFlight = member == null ? 0 : member.inFlight();
        return new SubscriptionStats(backlog, inFlight, deadLetters.count(subscription));
    }

    @Override
    public List<DeadLetter> deadLetters(String subscription, String afterIdOrNull, int limit) {
        Objects.requireNonNull(subscription, "subscription");
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        requireSubscription(subscription);
        return deadLetters.list(subscription, afterIdOrNull, limit);
    }

    @Override
    public int redrive(String subscription, List<String> deadLetterIds) {
        Objects.requireNonNull(deadLetterIds, "deadLetterIds");
        requireSubscription(subscription);
        return deadLetters.redrive(subscription, deadLetterIds);
    }

    @Override
    public int discard(String subscription, List<String> deadLetterIds) {
        Objects.requireNonNull(deadLetterIds, "deadLetterIds");
        requireSubscription(subscription);
        return deadLetters.discard(subscription, deadLetterIds);
    }

    /**
     * Closes this process's consumers (their members commit what was settled and leave their
     * groups), then waits for records still being sent, then releases the clients. Idempotent.
     */
    @Override
    public void close() {
        if (!lifecycle.close()) {
            return;
        }
        for (KafkaSubscriptionConsumer consumer : List.copyOf(consumers)) {
            consumer.close();
        }
        List<GroupMember> left;
        synchronized (members) {
            left = new ArrayList<>(members.values());
            members.clear();
        }
        left.forEach(GroupMember::close);
        closeQuietly("query readers", scanner);
        closeQuietly("producer", () -> producer.close(options.requestTimeout()));
        closeQuietly("dead-letter reader", deadLetters);
        closeQuietly("registry reader", registry);
        closeQuietly("admin client", admin);
    }

    /** A bounded scan, merged over partitions by store time: see {@code LogScanner}. */
    @Override
    public LogPage query(LogQuery query) {
        Objects.requireNonNull(query, "query");
        requireOpen();
        return scanner.page(query, name());
    }

    @Override
    public String toString() {
        return "KafkaTransport[" + options.bootstrapServers() + (lifecycle.isClosed() ? ", closed]" : "]");
    }

    private void requireSubscription(String subscription) {
        Objects.requireNonNull(subscription, "subscription");
        requireOpen();
        if (registry.find(subscription).isEmpty()) {
            throw new IllegalArgumentException("no subscription named " + subscription);
        }
    }

    private void requireOpen() {
        lifecycle.ensureOpen();
    }

    private static void requireLegal(String name, String what) {
        Objects.requireNonNull(name, what);
        if (!KafkaOptions.LEGAL_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("illegal " + what + " name for Kafka (letters, digits, '.', '_', '-', "
                    + "at most 200): " + name);
        }
    }

    private static void closeQuietly(String what, AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            LOG.warn("closing the {} failed", what, e);
        }
    }
}
