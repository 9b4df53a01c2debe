package dev.herald.transport.rabbitmq;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.herald.event.HeraldAttributes;
import dev.herald.transport.Capability;
import dev.herald.transport.Consumer;
import dev.herald.transport.DeadLetter;
import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionSpec;
import dev.herald.transport.SubscriptionStats;
import dev.herald.transport.Transport;
import dev.herald.transport.TransportException;
import dev.herald.transport.spi.Lifecycle;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.time.Instant;
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
 *     transport.createSubscription(SubscriptionSpec.of("audit", "events").startingAt(StartPosition.EARLIEST));
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
 * <p><b>Not declared</b>: {@link Capability#ORDERING} (a quorum queue with competing consumers and nacks that
 * re-publish does not keep per-key order), {@link Capability#ATOMIC_BATCH} (above),
 * {@link Capability#TRANSACTIONS} (there is no caller's database), {@link Capability#NATIVE_FILTERING},
 * {@link Capability#QUERY}. {@link #stats} counts the broker's ready messages plus what this process's consumers
 * hold; deliveries held by other processes are not seen.
 */
public final class RabbitMqTransport implements Transport {

    private static final Set<Capability> CAPABILITIES = Set.copyOf(EnumSet.of(Capability.DURABLE,
            Capability.CONSUMER_GROUPS, Capability.REPLAY, Capability.NATIVE_DELAY));

    private final RabbitMqOptions options;
    private final Connection connection;
    private final Names names;
    private final Publisher publisher;
    private final Topology topology;
    private final Registry registry;
    private final StreamReplay replay;
    private final DeadLetterQueue deadLetters;
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
        this.deadLetters = new DeadLetterQueue(connection, names, publisher);
        this.registry = Registry.open(connection, names.registry(), publisher, options.confirmTimeout());
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
    public void publish(String topic, List<CloudEvent> events) {
        lifecycle.ensureOpen();
        Names.requireLegal("topic", topic);
        Objects.requireNonNull(events, "events");
        if (events.isEmpty()) {
            return;
        }
        Instant now = Instant.now();
        List<Publisher.Outgoing> messages = new ArrayList<>(events.size());
        for (CloudEvent event : events) {
            Objects.requireNonNull(event, "events must not contain null");
            messages.add(new Publisher.Outgoing(names.exchange(topic),
                    HeraldAttributes.orderingKey(event).orElse(""), Messages.published(event, now), Messages.body(event)));
        }
        topology.ensureTopic(topic);
        publisher.publish(messages);
    }

    @Override
    public void createSubscription(SubscriptionSpec spec) {
        lifecycle.ensureOpen();
        Objects.requireNonNull(spec, "spec");
        Names.requireLegal("subscription name", spec.name());
        Names.requireLegal("topic", spec.topic());
        if (spec.ordered()) {
            throw new IllegalArgumentException("the rabbitmq transport does not keep per-key order: subscription "
                    + spec.name() + " cannot be ordered");
        }
        Optional<Registry.Definition> existing = registry.find(spec.name());
        if (existing.isEmpty()) {
            create(spec);
        } else {
            update(existing.get(), spec);
        }
    }

    private void create(SubscriptionSpec spec) {
        topology.ensureTopic(spec.topic());
        topology.declareSubscriptionQueues(spec.name());
        long delay = spec.deliveryDelay().toMillis();
        topology.bind(entry(spec.name(), delay), spec.topic());
        replay.copy(spec.topic(), spec.start(), names.queue(spec.name()));
        registry.write(Registry.Definition.of(spec, 0, delay > 0 ? List.of(delay) : List.of()));
    }

    private void update(Registry.Definition stored, SubscriptionSpec spec) {
        if (!stored.topic().equals(spec.topic())) {
            throw new IllegalArgumentException("subscription " + spec.name() + " reads topic " + stored.topic()
                    + "; it cannot move to topic " + spec.topic());
        }
        long before = stored.delayMillis();
        long after = spec.deliveryDelay().toMillis();
        List<Long> waits = new ArrayList<>(stored.waits());
        if (before != after) {
            // The new entry is bound before the old one is unbound, so no event misses both.
            String entry = entry(spec.name(), after);
            topology.bind(entry, spec.topic());
            topology.unbind(before > 0 ? names.wait(spec.name(), before) : names.queue(spec.name()), spec.topic());
            if (after > 0 && !waits.contains(after)) {
                waits.add(after);
            }
        }
        SubscriptionSpec kept = spec.startingAt(stored.spec().start());
        registry.write(Registry.Definition.of(kept, stored.generation(), waits));
    }

    /** The queue a subscription's events enter: a wait queue for a delivery delay, else its own queue. */
    private String entry(String subscription, long delayMillis) {
        if (delayMillis == 0) {
            return names.queue(subscription);
        }
        String wait = names.wait(subscription, delayMillis);
        topology.declareDelayQueue(wait, delayMillis, names.queue(subscription), null);
        return wait;
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
        registry.write(new Registry.Definition(name, definition.topic(), definition.start(), definition.ordered(),
                definition.delayMillis(), definition.generation(), definition.waits(), true, null));
        for (RabbitMqConsumer consumer : consumersOf(name)) {
            consumer.close();
        }
        for (long wait : definition.waits()) {
            topology.delete(names.wait(name, wait));
        }
        for (String retry : topology.knownRetryQueues(name)) {
            topology.delete(retry);
        }
        topology.delete(names.queue(name));
        topology.delete(names.deadLetters(name));
    }

    @Override
    public Consumer openConsumer(String subscription) {
        lifecycle.ensureOpen();
        require(subscription);
        RabbitMqConsumer[] opened = new RabbitMqConsumer[1];
        RabbitMqConsumer consumer = RabbitMqConsumer.open(connection, subscription, names, publisher, topology,
                () -> registry.find(subscription).map(Registry.Definition::generation).orElse(0L),
                options.prefetch(), () -> forget(opened[0]));
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
        registry.write(new Registry.Definition(stored.name(), stored.topic(), stored.start(), stored.ordered(),
                stored.delayMillis(), stored.generation() + 1, stored.waits(), false, null));
        topology.purge(names.queue(subscription));
        if (stored.delayMillis() > 0) {
            topology.purge(names.wait(subscription, stored.delayMillis()));
        }
        replay.copy(stored.topic(), position, names.queue(subscription));
    }

    @Override
    public SubscriptionStats stats(String subscription) {
        lifecycle.ensureOpen();
        Registry.Definition stored = require(subscription);
        long ready = topology.ready(names.queue(subscription));
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
        require(subscription);
        return deadLetters.redrive(subscription, deadLetterIds);
    }

    @Override
    public int discard(String subscription, List<String> deadLetterIds) {
        lifecycle.ensureOpen();
        require(subscription);
        return deadLetters.discard(subscription, deadLetterIds);
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
