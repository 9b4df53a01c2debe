package dev.herald.transport.rabbitmq;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
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
import java.io.IOException;
import java.time.Instant;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * Herald over RabbitMQ (3.10 or later), with the official {@code amqp-client} only, over AMQP 0-9-1.
 *
 * <pre>{@code
 * RabbitMqOptions options = RabbitMqOptions.defaults()
 *         .withUri(URI.create("amqps://herald:secret@rabbit.internal:5671/events"));
 * try (Transport transport = RabbitMqTransport.open(options)) {
 *     transport.createSubscription(SubscriptionSpec.of("audit", "events").withStart(StartPosition.EARLIEST));
 *     transport.publish("events", List.of(event));
 * }
 * }</pre>
 *
 * <p><b>Events.</b> A topic is a durable fanout exchange ({@code <prefix>.topic.<topic>}) with a stream bound
 * to it ({@code <topic>.log}, kept for {@link RabbitMqOptions#retention()}) that holds the topic's history for
 * replay. An event is one persistent message, the event in the CloudEvents JSON format (see {@code Messages}).
 * {@link #publish} sends a call's messages on one confirm-mode channel and returns once the broker confirmed
 * every one of them, that is once every queue the exchange routes to has written it to disk (see
 * {@code Publisher}). A batch is not atomic (confirms are per message; AMQP transactions are neither atomic
 * across queues nor combinable with confirms), so {@link Capability#ATOMIC_BATCH} is not declared.
 *
 * <p><b>Subscriptions.</b> Each subscription is a quorum queue ({@code <prefix>.sub.<name>}) bound to its
 * topic's exchange, so every subscription gets every event (fan-out) and its consumers compete for them
 * (consumer groups). The queue has a delivery limit ({@link RabbitMqOptions#deliveryLimit()}) and dead-letters
 * (at least once) into the subscription's dead-letter queue ({@code .dead}), so an event whose consumers keep
 * dying on it ends there instead of looping. Definitions live in a stream, followed by every process (see
 * {@code Registry}). A consumer closing, or its process dying, returns what it held unacknowledged.
 *
 * <p><b>Delays are the broker's</b> ({@link Capability#NATIVE_DELAY}): quorum-queue message TTL, then
 * dead-lettering into the subscription's queue. A delivery delay binds a wait queue ({@code .wait.<ms>}, TTL
 * the delay) to the topic instead of the subscription's queue. A nack re-publishes the event (attempt + 1)
 * into a retry queue for its delay ({@code .retry.<ms>}, rounded up to two significant digits, removed by the
 * broker once unused) and acknowledges the original; each queue holds a single TTL, so no message waits
 * behind a longer one. RabbitMQ has no per-message scheduled delivery of its own (the delayed-message plugin
 * keeps messages on one node only, not replicated), hence the queues per delay.
 *
 * <p><b>Replay</b> ({@link Capability#REPLAY}). A subscription created from {@code earliest} or a timestamp,
 * and {@link #seek}, copy the stream's events from there into the subscription's queue, after the queue was
 * bound, up to a marker written at that moment (see {@code StreamReplay}). Seek first purges the queue and
 * raises the subscription's generation, so that nacked events of the old position waiting for their retry are
 * dropped when they come back; in-flight deliveries settle normally.
 *
 * <p><b>Query</b> ({@link Capability#QUERY}) is a bounded scan of the topic's stream from a cursor (a stream
 * offset) up to a marker each page writes (see {@link #query}).
 *
 * <p><b>Not declared</b>: {@link Capability#ATOMIC_BATCH} (above), {@link Capability#TRANSACTIONS} (there is no
 * caller's database), {@link Capability#NATIVE_FILTERING}. {@link #stats} counts the broker's ready messages plus what this process's consumers
 * hold; deliveries held by other processes are not seen.
 */
public final class RabbitMqTransport implements Transport {

    private static final Set<Capability> CAPABILITIES = Set.copyOf(EnumSet.of(Capability.DURABLE,
            Capability.ORDERING, Capability.CONSUMER_GROUPS, Capability.REPLAY, Capability.NATIVE_DELAY,
            Capability.QUERY));

    private final RabbitMqOptions options;
    private final Connection connection;
    private final Names names;
    private final Publisher publisher;
    private final Topology topology;
    private final Registry registry;
    private final StreamReplay replay;
    private final StreamScanner scanner;
    private final DeadLetterQueue deadLetters;
    private final RabbitMqConsumer.Plumbing plumbing;
    /** This process's open consumers, with their subscriptions. */
    private final Map<RabbitMqConsumer, String> consumers = new ConcurrentHashMap<>();
    private final Lifecycle lifecycle = new Lifecycle("the RabbitMQ transport");

    private RabbitMqTransport(RabbitMqOptions options, Connection connection) {
        this.options = options;
        this.connection = connection;
        this.names = new Names(options.prefix());
        this.publisher = new Publisher(connection, options.publisherChannels(), options.confirmTimeout());
        this.topology = new Topology(connection, names, options);
        this.replay = new StreamReplay(connection, names, publisher, options.confirmTimeout());
        this.scanner = new StreamScanner(connection, names, topology, publisher, options.confirmTimeout());
        this.deadLetters = new DeadLetterQueue(connection, names, publisher);
        this.registry = Registry.open(connection, names.registry(), publisher, options.confirmTimeout());
        this.plumbing = new RabbitMqConsumer.Plumbing(connection, names, publisher, topology, options.prefetch());
    }

    /**
     * Connects and reads the subscription definitions.
     *
     * @throws TransportException when the broker cannot be reached or refuses
     */
    public static RabbitMqTransport open(RabbitMqOptions options) {
        Objects.requireNonNull(options, "options");
        ConnectionFactory factory = new ConnectionFactory();
        Connection connection;
        try {
            factory.setUri(options.uri());
            factory.setAutomaticRecoveryEnabled(true);
            connection = factory.newConnection("herald");
        } catch (IOException | TimeoutException | java.security.GeneralSecurityException e) {
            throw new TransportException("cannot connect to RabbitMQ at " + options.safeUri() + ": "
                    + Topology.rootMessage(e), e);
        }
        try {
            return new RabbitMqTransport(options, connection);
        } catch (RuntimeException e) {
            closeQuietly(connection);
            throw e;
        }
    }

    @Override
    public String name() {
        return "rabbitmq";
    }

    @Override
    public Set<Capability> capabilities() {
        return CAPABILITIES;
    }

    @Override
    public void publish(String topic, List<EncodedEvent> events) {
        lifecycle.ensureOpen();
        Names.requireLegal("topic", topic);
        Objects.requireNonNull(events, "events");
        if (events.isEmpty()) {
            return;
        }
        for (EncodedEvent event : events) {
            Objects.requireNonNull(event, "events must not contain null");
        }
        Instant now = Instant.now();
        String exchange = names.exchange(topic);
        // Wrapped one by one while the publisher sends: the broker writes earlier messages while later ones wrap.
        List<Publisher.Outgoing> messages = new AbstractList<>() {
            @Override
            public Publisher.Outgoing get(int index) {
                EncodedEvent event = events.get(index);
                return new Publisher.Outgoing(exchange, event.orderingKeyOrEmpty(), Messages.published(event, now),
                        event.json());
            }

            @Override
            public int size() {
                return events.size();
            }
        };
        topology.ensureTopic(topic);
        publisher.publish(messages);
    }

    @Override
    public void createSubscription(SubscriptionSpec spec) {
        lifecycle.ensureOpen();
        Objects.requireNonNull(spec, "spec");
        Names.requireLegal("subscription name", spec.name());
        Names.requireLegal("topic", spec.topic());
        Optional<Registry.Definition> existing = registry.find(spec.name());
        if (existing.isEmpty()) {
            create(spec);
        } else {
            update(existing.get(), spec);
        }
    }

    private void create(SubscriptionSpec spec) {
        String name = spec.name();
        topology.ensureTopic(spec.topic());
        int shards = spec.ordered() ? options.orderingShards() : 0;
        if (shards > 0) {
            topology.declareOrderedQueues(name, shards);
        } else {
            topology.declareSubscriptionQueues(name);
        }
        long delay = spec.deliveryDelay().toMillis();
        bindEntry(name, spec.topic(), delay, shards);
        replay.copy(spec.topic(), spec.start(), target(name, shards));
        registry.write(Registry.Definition.of(spec, 0, delay > 0 ? List.of(delay) : List.of(), shards));
    }

    private void update(Registry.Definition stored, SubscriptionSpec spec) {
        if (!stored.topic().equals(spec.topic())) {
            throw new IllegalArgumentException("subscription " + spec.name() + " reads topic " + stored.topic()
                    + "; it cannot move to topic " + spec.topic());
        }
        if (stored.ordered() != spec.ordered()) {
            // Its events sit in one queue or in shards: switching would strand them. A new subscription can start
            // where this one is (from a timestamp).
            throw new IllegalArgumentException("subscription " + spec.name() + " is " + (stored.ordered() ? "" : "not ")
                    + "ordered; the rabbitmq transport cannot change that in place: create a new subscription");
        }
        long before = stored.delayMillis();
        long after = spec.deliveryDelay().toMillis();
        List<Long> waits = new ArrayList<>(stored.waits());
        if (before != after) {
            // The new entry is bound before the old one is unbound, so no event misses both.
            bindEntry(spec.name(), spec.topic(), after, stored.shards());
            unbindEntry(spec.name(), spec.topic(), before, stored.shards());
            if (after > 0 && !waits.contains(after)) {
                waits.add(after);
            }
        }
        SubscriptionSpec kept = spec.withStart(stored.spec().start());
        registry.write(Registry.Definition.of(kept, stored.generation(), waits, stored.shards()));
    }

    /**
     * Binds where a subscription's events enter: a wait queue for a delivery delay (which then dead-letters them
     * into the subscription), else its queue, or its hash exchange when ordered.
     */
    private void bindEntry(String subscription, String topic, long delayMillis, int shards) {
        if (delayMillis > 0) {
            String wait = names.wait(subscription, delayMillis);
            topology.declareDelayQueue(wait, delayMillis, target(subscription, shards), null);
            topology.bind(wait, topic);
        } else if (shards > 0) {
            topology.bindExchange(names.hash(subscription), topic);
        } else {
            topology.bind(names.queue(subscription), topic);
        }
    }

    private void unbindEntry(String subscription, String topic, long delayMillis, int shards) {
        if (delayMillis > 0) {
            topology.unbind(names.wait(subscription, delayMillis), topic);
        } else if (shards > 0) {
            topology.unbindExchange(names.hash(subscription), topic);
        } else {
            topology.unbind(names.queue(subscription), topic);
        }
    }

    /** Where copies of events re-enter a subscription (replay, redrive). */
    private Target target(String subscription, int shards) {
        return shards > 0 ? Target.byKey(names.hash(subscription)) : Target.queue(names.queue(subscription));
    }

    /** The queues a subscription's consumers read: its queue, or its shards. */
    private List<String> queues(Registry.Definition definition) {
        if (definition.shards() == 0) {
            return List.of(names.queue(definition.name()));
        }
        List<String> shards = new ArrayList<>();
        for (int i = 0; i < definition.shards(); i++) {
            shards.add(names.shard(definition.name(), i));
        }
        return shards;
    }

    @Override
    public Optional<SubscriptionSpec> subscription(String name) {
        lifecycle.ensureOpen();
        return registry.find(name).map(Registry.Definition::spec);
    }

    @Override
    public void deleteSubscription(String name) {
        lifecycle.ensureOpen();
        Optional<Registry.Definition> stored = registry.find(name);
        if (stored.isEmpty()) {
            return;
        }
        Registry.Definition definition = stored.get();
        registry.write(definition.asDeleted());
        for (RabbitMqConsumer consumer : consumersOf(name)) {
            consumer.close();
        }
        for (long wait : definition.waits()) {
            topology.delete(names.wait(name, wait));
        }
        for (String retry : topology.knownRetryQueues(name)) {
            topology.delete(retry);
        }
        for (String queue : queues(definition)) {
            topology.delete(queue);
        }
        if (definition.shards() > 0) {
            topology.deleteExchange(names.hash(name));
        }
        topology.delete(names.deadLetters(name));
    }

    @Override
    public Consumer openConsumer(String subscription) {
        lifecycle.ensureOpen();
        Registry.Definition definition = require(subscription);
        RabbitMqConsumer[] opened = new RabbitMqConsumer[1];
        RabbitMqConsumer consumer = RabbitMqConsumer.open(plumbing, subscription, queues(definition),
                definition.shards() > 0,
                () -> registry.find(subscription).map(Registry.Definition::generation).orElse(0L),
                () -> forget(opened[0]));
        opened[0] = consumer;
        consumers.put(consumer, subscription);
        if (lifecycle.isClosed()) {
            consumer.close();
            throw lifecycle.closedError();
        }
        return consumer;
    }

    private void forget(RabbitMqConsumer consumer) {
        if (consumer != null) {
            consumers.remove(consumer);
        }
    }

    private List<RabbitMqConsumer> consumersOf(String subscription) {
        return consumers.entrySet().stream().filter(e -> e.getValue().equals(subscription))
                .map(Map.Entry::getKey).toList();
    }

    private Registry.Definition require(String subscription) {
        return registry.find(subscription).orElseThrow(
                () -> new IllegalArgumentException("no such subscription: " + subscription));
    }

    @Override
    public void seek(String subscription, StartPosition position) {
        lifecycle.ensureOpen();
        Objects.requireNonNull(position, "position");
        Registry.Definition stored = require(subscription);
        registry.write(stored.withGeneration(stored.generation() + 1));
        for (String queue : queues(stored)) {
            topology.purge(queue);
        }
        if (stored.delayMillis() > 0) {
            topology.purge(names.wait(subscription, stored.delayMillis()));
        }
        replay.copy(stored.topic(), position, target(subscription, stored.shards()));
    }

    @Override
    public SubscriptionStats stats(String subscription) {
        lifecycle.ensureOpen();
        Registry.Definition stored = require(subscription);
        long ready = 0;
        for (String queue : queues(stored)) {
            ready += topology.ready(queue);
        }
        if (stored.delayMillis() > 0) {
            ready += topology.ready(names.wait(subscription, stored.delayMillis()));
        }
        for (String retry : topology.knownRetryQueues(subscription)) {
            ready += topology.ready(retry);
        }
        long held = 0;
        long inFlight = 0;
        for (RabbitMqConsumer consumer : consumersOf(subscription)) {
            held += consumer.unsettled();
            inFlight += consumer.inFlight();
        }
        return new SubscriptionStats(ready + held, inFlight, topology.ready(names.deadLetters(subscription)));
    }

    @Override
    public List<DeadLetter> deadLetters(String subscription, String afterIdOrNull, int limit) {
        lifecycle.ensureOpen();
        require(subscription);
        return deadLetters.list(subscription, afterIdOrNull, limit);
    }

    @Override
    public int redrive(String subscription, List<String> deadLetterIds) {
        lifecycle.ensureOpen();
        Registry.Definition stored = require(subscription);
        return deadLetters.redrive(subscription, target(subscription, stored.shards()), deadLetterIds);
    }

    @Override
    public int discard(String subscription, List<String> deadLetterIds) {
        lifecycle.ensureOpen();
        require(subscription);
        return deadLetters.discard(subscription, deadLetterIds);
    }

    /**
     * A bounded scan of the topic's stream (see {@code StreamScanner}): each page appends a marker to the stream
     * and reads from the cursor (or the first retained event, or a time lower bound less a minute) up to it,
     * examining at most {@code maxScan} events. Positions are stream offsets; {@code publishedAt} is the
     * publishing process's clock.
     */
    @Override
    public LogPage query(LogQuery query) {
        lifecycle.ensureOpen();
        Objects.requireNonNull(query, "query");
        Names.requireLegal("topic", query.topic());
        return scanner.page(query, name());
    }

    @Override
    public void close() {
        if (!lifecycle.close()) {
            return;
        }
        for (RabbitMqConsumer consumer : List.copyOf(consumers.keySet())) {
            consumer.close();
        }
        registry.close();
        publisher.close();
        topology.close();
        closeQuietly(connection);
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close(5_000);
        } catch (IOException | RuntimeException e) {
            // Closing: the broker drops the connection's channels anyway.
        }
    }

    @Override
    public String toString() {
        return "RabbitMqTransport[" + options.safeUri() + ", prefix " + options.prefix() + "]";
    }
}
