package dev.herald.store;

import dev.herald.dispatch.BatchHandler;
import dev.herald.dispatch.Dispatcher;
import dev.herald.dispatch.EventHandler;
import dev.herald.event.EnvelopeRules;
import dev.herald.event.EventData;
import dev.herald.event.InvalidEventException;
import dev.herald.event.Provenance;
import dev.herald.schema.EventValidator;
import dev.herald.schema.SchemaRegistry;
import dev.herald.transport.Capability;
import dev.herald.transport.Consumer;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.SubscriptionSpec;
import dev.herald.transport.TransactionalTransport;
import dev.herald.transport.Transport;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Herald's in-process API: one domain publishes, others subscribe, and neither knows the other.
 *
 * <pre>{@code
 * EventStore store = EventStore.builder(transport, SchemaRegistry.builtinCatalog()).build();
 *
 * store.subscribe("security.scan_on_push", event -> scanner.scan(event),
 *         SubscribeOptions.forTypes("repository.push").maxAttempts(10));
 *
 * store.publish(EventBuilder.create(store.schemas()).type("repository.push").source("/repo/1")
 *         .project("gid://gitlab/Project/1").data(push).build());
 * }</pre>
 *
 * <p>{@link #publish} validates first (envelope and schema; an invalid event is refused with every
 * violation and nothing is written) and returns only once the transport stored the events durably.
 * Events published while a handler runs are linked to the event it handles ({@link Provenance}).
 * Subscriptions are durable: a subscription that is closed and subscribed again resumes where it
 * stopped.
 */
public final class EventStore implements AutoCloseable {

    private final Transport transport;
    private final SchemaRegistry schemas;
    private final EventValidator validator;
    private final TopicRouter router;
    private final Duration drainTimeout;
    private final Telemetry telemetry;
    private final Map<String, Subscription> running = new ConcurrentHashMap<>();

    private EventStore(Builder builder) {
        this.transport = builder.transport;
        this.schemas = builder.schemas;
        this.validator = new EventValidator(builder.envelopeRules, builder.schemas);
        this.router = builder.router;
        this.drainTimeout = builder.drainTimeout;
        this.telemetry = new Telemetry(builder.meters, builder.transport);
    }

    /** Starts configuring a store on a transport with a schema registry. */
    public static Builder builder(Transport transport, SchemaRegistry schemas) {
        return new Builder(transport, schemas);
    }

    /** The transport underneath. */
    public Transport transport() {
        return transport;
    }

    /** The schema registry events are checked against. */
    public SchemaRegistry schemas() {
        return schemas;
    }

    /**
     * Validates and durably publishes one event.
     *
     * @return the event as stored (with causation and correlation added inside a handler)
     * @throws InvalidEventException when the event breaks an envelope or schema rule; nothing is stored
     */
    public CloudEvent publish(CloudEvent event) {
        return publish(List.of(event)).getFirst();
    }

    /**
     * Validates and durably publishes a group: if any event is invalid, none is stored. Events of
     * one topic are written atomically where the transport declares {@link Capability#ATOMIC_BATCH}.
     *
     * @return the events as stored, in the given order
     * @throws InvalidEventException with every violation of every event ({@code [i].attribute})
     */
    public List<CloudEvent> publish(List<CloudEvent> events) {
        return publish(events, transport::publish);
    }

    /**
     * Validates a group and writes it in the caller's open transaction (transactional outbox): the
     * events are delivered if and only if the caller commits. Needs a transport declaring
     * {@link Capability#TRANSACTIONS}; see {@link Transactions#inTransaction} for the usual wrapping.
     *
     * @param connection a connection to the transport's database, auto-commit off
     * @return the events as written, in the given order
     * @throws UnsupportedOperationException when the transport cannot join a transaction
     */
    public List<CloudEvent> publish(List<CloudEvent> events, Connection connection) {
        TransactionalTransport transactional = transactional();
        return publish(events, (topic, group) -> transactional.publish(topic, group, connection));
    }

    /** One event in the caller's open transaction; see {@link #publish(List, Connection)}. */
    public CloudEvent publish(CloudEvent event, Connection connection) {
        return publish(List.of(event), connection).getFirst();
    }

    /**
     * Validates and durably publishes a group whose structured form the caller already holds (read from a
     * request by {@link dev.herald.event.JsonEvents#readEncodedBatch}), so that it is not serialised again:
     * the transport stores those bytes. An event given a causation or correlation here ({@link Provenance})
     * is serialised anew. Otherwise as {@link #publish(List)}.
     *
     * @return the events as stored, in the given order
     * @throws InvalidEventException with every violation of every event ({@code [i].attribute})
     */
    public List<CloudEvent> publishEncoded(List<EncodedEvent> events) {
        return publishLinked(events.stream().map(EventStore::linked).toList(), transport::publish);
    }

    /** Encoded events in the caller's open transaction; see {@link #publishEncoded(List)} and
     * {@link #publish(List, Connection)}. */
    public List<CloudEvent> publishEncoded(List<EncodedEvent> events, Connection connection) {
        TransactionalTransport transactional = transactional();
        return publishLinked(events.stream().map(EventStore::linked).toList(),
                (topic, group) -> transactional.publish(topic, group, connection));
    }

    private TransactionalTransport transactional() {
        if (!(transport instanceof TransactionalTransport transactional)) {
            throw new UnsupportedOperationException("the " + transport.name()
                    + " transport cannot publish inside a caller's transaction");
        }
        return transactional;
    }

    /** The event linked to the current handling ({@link Provenance}), its bytes kept when nothing was added. */
    private static EncodedEvent linked(EncodedEvent encoded) {
        CloudEvent linked = Provenance.apply(encoded.event());
        return linked == encoded.event() ? encoded : EncodedEvent.of(linked);
    }

    /** Writes one topic's events: to the transport directly, or through a caller's transaction. */
    @FunctionalInterface
    private interface TopicWriter {
        void write(String topic, List<EncodedEvent> events);
    }

    /** Links the events to the current handling ({@link Provenance}), then publishes them encoded once. */
    private List<CloudEvent> publish(List<CloudEvent> events, TopicWriter writer) {
        return publishLinked(events.stream().map(event -> EncodedEvent.of(Provenance.apply(event))).toList(), writer);
    }

    /**
     * Validates (measuring each event's size on the bytes the transport stores), then hands each topic's
     * events to the writer.
     */
    private List<CloudEvent> publishLinked(List<EncodedEvent> encoded, TopicWriter writer) {
        List<CloudEvent> linked = EncodedEvent.events(encoded);
        long start = System.nanoTime();
        try {
            validator.requireValidEncoded(encoded);
        } catch (InvalidEventException e) {
            byTopic(linked).forEach((topic, group) -> telemetry.publishFailed(topic, group, "invalid",
                    e.getMessage(), System.nanoTime() - start));
            throw e;
        }
        for (Map.Entry<String, List<EncodedEvent>> group : byTopic(encoded, EncodedEvent::event).entrySet()) {
            List<CloudEvent> groupEvents = EncodedEvent.events(group.getValue());
            long groupStart = System.nanoTime();
            try {
                writer.write(group.getKey(), group.getValue());
            } catch (RuntimeException e) {
                telemetry.publishFailed(group.getKey(), groupEvents, "failed", e.toString(),
                        System.nanoTime() - groupStart);
                throw e;
            }
            telemetry.published(group.getKey(), groupEvents, System.nanoTime() - groupStart);
        }
        return linked;
    }

    private Map<String, List<CloudEvent>> byTopic(List<CloudEvent> events) {
        return byTopic(events, Function.identity());
    }

    /** The items grouped by their event's topic, topics in order of first appearance, items in order. */
    private <T> Map<String, List<T>> byTopic(List<T> items, Function<T, CloudEvent> eventOf) {
        Map<String, List<T>> groups = new LinkedHashMap<>();
        for (T item : items) {
            groups.computeIfAbsent(router.topicFor(eventOf.apply(item)), topic -> new ArrayList<>()).add(item);
        }
        return groups;
    }

    /**
     * Starts a durable subscription whose handler takes one event at a time.
     *
     * @throws IllegalStateException    when a subscription of that name already runs in this store
     * @throws IllegalArgumentException when the options need a capability the transport lacks
     */
    public Subscription subscribe(String name, EventHandler handler, SubscribeOptions options) {
        Objects.requireNonNull(handler, "handler");
        return start(name, options, consumer -> Dispatcher.forEvents(name, consumer, options.filter(), handler,
                options.policy(), telemetry));
    }

    /** Starts a durable subscription whose handler takes the event's data bound to {@code dataType}. */
    public <T> Subscription subscribe(String name, Class<T> dataType, DataHandler<T> handler,
                                      SubscribeOptions options) {
        Objects.requireNonNull(handler, "handler");
        return subscribe(name, event -> handler.handle(EventData.as(event, dataType), event), options);
    }

    /** Starts a durable subscription whose handler takes groups of up to {@code options.policy().groupSize()}. */
    public Subscription subscribeBatch(String name, BatchHandler handler, SubscribeOptions options) {
        Objects.requireNonNull(handler, "handler");
        return start(name, options, consumer -> Dispatcher.forBatches(name, consumer, options.filter(), handler,
                options.policy(), telemetry));
    }

    /** The running subscription of that name in this store. */
    public Optional<Subscription> subscription(String name) {
        return Optional.ofNullable(running.get(name));
    }

    /** Stops a subscription (if running here) and deletes its position and dead letters for good. */
    public void unsubscribe(String name) {
        Subscription subscription = running.get(name);
        if (subscription != null) {
            subscription.close();
        }
        transport.deleteSubscription(name);
        telemetry.forget(name);
    }

    /** A subscription's dead letters. */
    public DeadLetters deadLetters(String subscription) {
        if (transport.subscription(subscription).isEmpty()) {
            throw new IllegalArgumentException("no subscription named " + subscription);
        }
        return new DeadLetters(transport, subscription);
    }

    /**
     * Stops every subscription, letting running handler calls finish within the drain timeout
     * (unfinished ones are redelivered later, never lost), then closes the transport.
     */
    @Override
    public void close() {
        List.copyOf(running.values()).parallelStream().forEach(Subscription::close);
        transport.close();
    }

    /** Synchronized: starting subscriptions is rare, and it keeps "one running subscription per name" simple. */
    private synchronized Subscription start(String name, SubscribeOptions options,
                                            Function<Consumer, Dispatcher> dispatcherFor) {
        if (options.policy().orderedByKey() && !transport.capabilities().contains(Capability.ORDERING)) {
            throw new IllegalArgumentException("subscription " + name + " asks for per-key ordering, which the "
                    + transport.name() + " transport does not offer");
        }
        if (running.containsKey(name)) {
            throw new IllegalStateException("subscription " + name + " is already running in this store");
        }
        // The broker may evaluate what it can of the filter; the dispatcher still applies all of it.
        transport.createSubscription(new SubscriptionSpec(name, options.topic(), options.start(),
                options.policy().orderedByKey(), options.deliveryDelay(), options.filter().nativePart()));
        Dispatcher dispatcher = dispatcherFor.apply(transport.openConsumer(name));
        Subscription subscription = new Subscription(name, options, dispatcher, transport, drainTimeout,
                () -> running.remove(name));
        running.put(name, subscription);
        telemetry.watch(name);
        dispatcher.start();
        return subscription;
    }

    /** Configures an {@link EventStore}. */
    public static final class Builder {

        private final Transport transport;
        private final SchemaRegistry schemas;
        private TopicRouter router = TopicRouter.single(TopicRouter.DEFAULT_TOPIC);
        private EnvelopeRules envelopeRules = EnvelopeRules.defaults();
        private MeterRegistry meters = new SimpleMeterRegistry();
        private Duration drainTimeout = Duration.ofSeconds(30);

        private Builder(Transport transport, SchemaRegistry schemas) {
            this.transport = Objects.requireNonNull(transport, "transport");
            this.schemas = Objects.requireNonNull(schemas, "schemas");
        }

        /** How types map to topics (default: everything to {@value TopicRouter#DEFAULT_TOPIC}). */
        public Builder router(TopicRouter topicRouter) {
            this.router = Objects.requireNonNull(topicRouter);
            return this;
        }

        /** Envelope rules, e.g. another size limit (default 1 MiB per event). */
        public Builder envelopeRules(EnvelopeRules rules) {
            this.envelopeRules = Objects.requireNonNull(rules);
            return this;
        }

        /** Where metrics go (default: a private in-memory registry). */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meters = Objects.requireNonNull(registry);
            return this;
        }

        /** How long {@link EventStore#close()} waits for running handler calls (default 30 s). */
        public Builder drainTimeout(Duration timeout) {
            this.drainTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** The store. */
        public EventStore build() {
            return new EventStore(this);
        }
    }
}
