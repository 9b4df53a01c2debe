package dev.herald.transport.pubsub;

import com.google.api.core.ApiFuture;
import com.google.api.core.ApiFutures;
import com.google.api.gax.rpc.AlreadyExistsException;
import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.InvalidArgumentException;
import com.google.api.gax.rpc.NotFoundException;
import com.google.protobuf.FieldMask;
import com.google.protobuf.Timestamp;
import com.google.pubsub.v1.DeadLetterPolicy;
import com.google.pubsub.v1.ExpirationPolicy;
import com.google.pubsub.v1.SeekRequest;
import com.google.pubsub.v1.Subscription;
import com.google.pubsub.v1.SubscriptionName;
import com.google.pubsub.v1.TopicName;
import com.google.pubsub.v1.UpdateSubscriptionRequest;
import dev.herald.transport.Capability;
import dev.herald.transport.Consumer;
import dev.herald.transport.DeadLetter;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionSpec;
import dev.herald.transport.SubscriptionStats;
import dev.herald.transport.Transport;
import dev.herald.transport.TransportException;
import dev.herald.transport.spi.Lifecycle;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Herald over Google Cloud Pub/Sub, with the official {@code google-cloud-pubsub} client only.
 *
 * <pre>{@code
 * try (Transport transport = PubSubTransport.open(PubSubOptions.gcp("my-project")
 *         .withEndpoint("europe-west1-pubsub.googleapis.com:443"))) {
 *     transport.createSubscription(SubscriptionSpec.of("audit", "events").withOrdering(true));
 *     transport.publish("events", List.of(event));
 * }
 * }</pre>
 *
 * <p><b>Events.</b> A Herald topic is a Pub/Sub topic ({@code <prefix><topic>}, created on first use, with
 * {@link PubSubOptions#topicRetention()} so that subscriptions can start in the past). Each event is one message in
 * the binary mode of the CloudEvents Pub/Sub binding ({@code ce-*} attributes, data as is; see {@code EventCodec}),
 * with the event's ordering key as the message's ordering key. {@link #publish} hands every message to the topic's
 * {@code Publisher} (batching per {@link PubSubOptions#publishBatchSize()}/{@link PubSubOptions#publishBatchDelay()},
 * flow control per {@link PubSubOptions#maxOutstandingPublishBytes()}) and returns once Pub/Sub acknowledged all of
 * them: Pub/Sub acknowledges a publish once the message is stored in several zones. A batch is not atomic.
 *
 * <p><b>Subscriptions.</b> A Herald subscription is a Pub/Sub subscription of the same name on its topic, with
 * message ordering when the subscription is ordered (Pub/Sub cannot change that later), the lease
 * {@link PubSubOptions#ackDeadline()}, no expiry, and a dead-letter policy: after
 * {@link PubSubOptions#maxDeliveryAttempts()} deliveries Pub/Sub itself moves a message to the subscription's
 * dead-letter topic {@code <name>.dlq}; Herald's dispatcher, which gives up earlier, moves it there with its last
 * error. A retry topic and subscription {@code <name>.retry} carry redriven dead letters back to the subscription's
 * consumers. The spec's start and delivery delay are labels of the subscription; the topic and ordering are read
 * from the subscription itself, so every process sees the same definition. The spec's
 * {@linkplain SubscriptionSpec#filter() native filter} becomes the subscription's Pub/Sub filter ({@code PubSubFilter}:
 * what Pub/Sub's syntax can say of it), so Pub/Sub never delivers what it rejects (NATIVE_FILTERING; not on the
 * emulator, which ignores filters); like ordering, it cannot change later.
 *
 * <p><b>Delivery</b> is unary pull by each consumer ({@code PubSubConsumer}): Pub/Sub's delivery attempt is the
 * attempt, nack with delay is the message's ack deadline (native, up to Pub/Sub's 600 s; longer delays are kept
 * leased in the consumer), per-key order is Pub/Sub's message ordering plus a per-key hold in the consumer, and the
 * subscription's delivery delay is a hold in the consumer (Pub/Sub has no delivery delay). Consumers in any number
 * of processes share a subscription's work through Pub/Sub's leases.
 *
 * <p><b>Replay</b> is Pub/Sub's seek to a timestamp: {@code earliest} is the start of the topic's retention,
 * {@code latest} is now; subscriptions retain acknowledged messages for as long as their topic does, so seek can go
 * back over them. The emulator has no seek: on it, {@link Capability#REPLAY} is not declared and only {@code latest}
 * can start a subscription.
 *
 * <p><b>Capabilities.</b> {@link Capability#DURABLE}, {@link Capability#ORDERING},
 * {@link Capability#CONSUMER_GROUPS}, and {@link Capability#REPLAY} on real Pub/Sub with topic retention. Not
 * {@link Capability#NATIVE_DELAY} (the subscription delivery delay is a hold in the consumer; nack delays are
 * native), {@link Capability#ATOMIC_BATCH}, {@link Capability#QUERY} (Pub/Sub cannot read a topic except through a
 * subscription), {@link Capability#TRANSACTIONS}. {@link Capability#NATIVE_FILTERING} is not declared: the SPI's
 * subscription spec carries no filter, so the transport has nothing to give Pub/Sub's server-side filters.
 *
 * <p><b>Stats.</b> Pub/Sub reports a subscription's backlog only through Cloud Monitoring
 * ({@code subscription/num_undelivered_messages}, minutes late); {@link #stats} counts what this process holds in
 * flight (as the backlog too: a lower bound) and the dead letters exactly.
 */
public final class PubSubTransport implements Transport {

    static final String START_LABEL = "herald-start";
    static final String DELAY_LABEL = "herald-delivery-delay-ms";

    private final PubSubOptions options;
    private final PubSubClients clients;
    private final Names names;
    private final DeadLetterBox deadLetters;
    private final Set<Capability> capabilities;
    private final Set<PubSubConsumer> consumers = ConcurrentHashMap.newKeySet();
    /**
     * Delivery delays changed on the emulator, which cannot update labels: they hold in this process only. Real
     * Pub/Sub stores them as labels.
     */
    private final Map<String, Duration> emulatorDelays = new ConcurrentHashMap<>();
    private final ReentrantLock definitions = new ReentrantLock();
    /** Sends consumers' batched acks. */
    private final ScheduledExecutorService ackFlusher = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("herald-pubsub-acks").daemon().factory());
    private final Lifecycle lifecycle = new Lifecycle("the Pub/Sub transport");

    private PubSubTransport(PubSubOptions options, PubSubClients clients) {
        this.options = options;
        this.clients = clients;
        this.names = new Names(options.project(), options.prefix());
        this.deadLetters = new DeadLetterBox(clients, names, options);
        EnumSet<Capability> declared = EnumSet.of(Capability.DURABLE, Capability.ORDERING, Capability.CONSUMER_GROUPS);
        if (canSeek()) {
            declared.add(Capability.REPLAY);
        }
        if (!options.emulator()) {
            // The emulator stores a subscription's filter but delivers every message (see README-pubsub.md).
            declared.add(Capability.NATIVE_FILTERING);
        }
        this.capabilities = Set.copyOf(declared);
    }

    /**
     * Connects to Pub/Sub. Nothing is created until used.
     *
     * @throws TransportException when the clients cannot be built (for example, no Application Default Credentials)
     */
    public static PubSubTransport open(PubSubOptions options) {
        Objects.requireNonNull(options, "options");
        try {
            return new PubSubTransport(options, new PubSubClients(options));
        } catch (IOException | RuntimeException e) {
            throw new TransportException("cannot connect to Pub/Sub" + (options.endpoint().isEmpty() ? ""
                    : " at " + options.endpoint()) + " for project " + options.project() + ": " + e.getMessage(), e);
        }
    }

    private boolean canSeek() {
        return !options.emulator() && !options.topicRetention().isZero();
    }

    @Override
    public String name() {
        return "pubsub";
    }

    @Override
    public Set<Capability> capabilities() {
        return capabilities;
    }

    /** Publishes every event and returns once Pub/Sub acknowledged all of them. Not atomic. */
    @Override
    public void publish(String topic, List<EncodedEvent> events) {
        lifecycle.ensureOpen();
        Names.requireLegal(topic, "topic");
        Objects.requireNonNull(events, "events");
        for (EncodedEvent event : events) {
            Objects.requireNonNull(event, "events must not contain null");
        }
        if (events.isEmpty()) {
            return;
        }
        TopicName target = names.topic(topic);
        List<ApiFuture<String>> sends = new ArrayList<>(events.size());
        try {
            for (EncodedEvent event : events) {
                sends.add(clients.publish(target, EventCodec.encode(event).build()));
            }
            ApiFutures.allAsList(sends).get(options.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | ApiException | IllegalStateException e) {
            // A failed key is paused by the client until resumed; resume it so later publishes of the key run.
            events.forEach(event -> clients.resume(target, event.orderingKeyOrEmpty()));
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new TransportException("cannot publish to " + topic + ": " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted while publishing to " + topic, e);
        }
    }

    /**
     * Creates the subscription with its dead-letter and retry topics and subscriptions (the main subscription
     * last: it is what makes the subscription exist), then moves it to its start. An existing subscription keeps its
     * position and gets the new delivery delay; its ordering cannot change (Pub/Sub fixes it at creation).
     */
    @Override
    public void createSubscription(SubscriptionSpec spec) {
        Objects.requireNonNull(spec, "spec");
        lifecycle.ensureOpen();
        Names.requireLegal(spec.name(), "subscription");
        Names.requireLegal(spec.topic(), "topic");
        definitions.lock();
        try {
            Optional<SubscriptionSpec> existing = subscription(spec.name());
            if (existing.isPresent()) {
                update(existing.get(), spec);
                return;
            }
            if (!(spec.start() instanceof StartPosition.Latest) && !canSeek()) {
                throw new UnsupportedOperationException("subscription " + spec.name() + " cannot start at "
                        + spec.start() + ": " + (options.emulator() ? "the Pub/Sub emulator has no seek"
                        : "topic retention is off") + "; only latest is possible");
            }
            createResources(spec);
            if (!(spec.start() instanceof StartPosition.Latest)) {
                seekTo(spec.name(), spec.start());
            }
        } catch (ApiException e) {
            throw new TransportException("cannot create subscription " + spec.name() + " in Pub/Sub: " + e.getMessage(), e);
        } finally {
            definitions.unlock();
        }
    }

    private void createResources(SubscriptionSpec spec) {
        TopicName deadLetterTopic = names.deadLetterTopic(spec.name());
        TopicName retryTopic = names.retryTopic(spec.name());
        clients.ensureTopic(names.topic(spec.topic()));
        clients.ensureTopic(deadLetterTopic);
        clients.ensureTopic(retryTopic);
        ensure(Subscription.newBuilder().setName(names.deadLetterSubscription(spec.name()).toString())
                .setTopic(deadLetterTopic.toString()).setAckDeadlineSeconds(60)
                .setExpirationPolicy(ExpirationPolicy.getDefaultInstance()).build());
        DeadLetterPolicy deadLetterPolicy = DeadLetterPolicy.newBuilder().setDeadLetterTopic(deadLetterTopic.toString())
                .setMaxDeliveryAttempts(options.maxDeliveryAttempts()).build();
        ensure(Subscription.newBuilder().setName(names.retrySubscription(spec.name()).toString())
                .setTopic(retryTopic.toString()).setAckDeadlineSeconds((int) options.ackDeadline().toSeconds())
                .setDeadLetterPolicy(deadLetterPolicy)
                .setExpirationPolicy(ExpirationPolicy.getDefaultInstance()).build());
        Subscription.Builder main = Subscription.newBuilder().setName(names.subscription(spec.name()).toString())
                .setTopic(names.topic(spec.topic()).toString())
                .setAckDeadlineSeconds((int) options.ackDeadline().toSeconds())
                .setEnableMessageOrdering(spec.ordered())
                .setFilter(PubSubFilter.translate(spec.filter()))
                .setDeadLetterPolicy(deadLetterPolicy)
                .setExpirationPolicy(ExpirationPolicy.getDefaultInstance())
                .putLabels(START_LABEL, startLabel(spec.start()))
                .putLabels(DELAY_LABEL, Long.toString(spec.deliveryDelay().toMillis()));
        if (canSeek()) {
            // Acked messages stay (up to Pub/Sub's 7-day subscription maximum), so seek can go back over them.
            main.setRetainAckedMessages(true).setMessageRetentionDuration(com.google.protobuf.Duration.newBuilder()
                    .setSeconds(Math.min(options.topicRetention().toSeconds(), Duration.ofDays(7).toSeconds())));
        }
        ensure(main.build());
    }

    private void ensure(Subscription subscription) {
        try {
            clients.subscriptions().createSubscription(subscription);
        } catch (AlreadyExistsException leftOver) {
            // Left by an interrupted earlier creation of this subscription.
        }
    }

    private void update(SubscriptionSpec stored, SubscriptionSpec wanted) {
        if (!stored.topic().equals(wanted.topic())) {
            throw new IllegalArgumentException("subscription " + wanted.name() + " reads topic " + stored.topic()
                    + ", not " + wanted.topic() + ": delete it to move it");
        }
        if (stored.ordered() != wanted.ordered()) {
            throw new IllegalArgumentException("subscription " + wanted.name() + " is " + (stored.ordered() ? "" : "not ")
                    + "ordered, and Pub/Sub fixes message ordering when a subscription is created: delete it to change it");
        }
        requireFilterKept(wanted);
        if (stored.deliveryDelay().equals(wanted.deliveryDelay())) {
            return;
        }
        try {
            clients.subscriptions().updateSubscription(UpdateSubscriptionRequest.newBuilder()
                    .setSubscription(Subscription.newBuilder().setName(names.subscription(wanted.name()).toString())
                            .putLabels(START_LABEL, startLabel(stored.start()))
                            .putLabels(DELAY_LABEL, Long.toString(wanted.deliveryDelay().toMillis())))
                    .setUpdateMask(FieldMask.newBuilder().addPaths("labels")).build());
        } catch (InvalidArgumentException e) {
            if (!options.emulator()) {
                throw e;
            }
            emulatorDelays.put(wanted.name(), wanted.deliveryDelay());
        }
        for (PubSubConsumer consumer : consumers) {
            if (consumer.subscription().equals(wanted.name())) {
                consumer.deliveryDelay(wanted.deliveryDelay());
            }
        }
    }

    /**
     * Pub/Sub fixes a subscription's filter at creation. Keeping it is safe when it is the wanted one, or none (every
     * message delivered; the client filters); any other would withhold events the new filter accepts.
     */
    private void requireFilterKept(SubscriptionSpec wanted) {
        String stored;
        try {
            stored = clients.subscriptions().getSubscription(names.subscription(wanted.name())).getFilter();
        } catch (ApiException e) {
            throw new TransportException("cannot read subscription " + wanted.name() + " from Pub/Sub: "
                    + e.getMessage(), e);
        }
        String translated = PubSubFilter.translate(wanted.filter());
        if (!stored.isEmpty() && !stored.equals(translated)) {
            throw new IllegalArgumentException("subscription " + wanted.name() + " has the Pub/Sub filter '" + stored
                    + "', and Pub/Sub fixes a subscription's filter when it is created: delete the subscription to "
                    + "filter by '" + translated + "'");
        }
    }

    private static String startLabel(StartPosition start) {
        return switch (start) {
            case StartPosition.Latest latest -> "latest";
            case StartPosition.Earliest earliest -> "earliest";
            case StartPosition.At at -> Long.toString(at.timestamp().toEpochMilli());
        };
    }

    private static StartPosition start(String label) {
        return switch (label) {
            case "earliest" -> StartPosition.EARLIEST;
            case "latest", "" -> StartPosition.LATEST;
            default -> StartPosition.at(Instant.ofEpochMilli(Long.parseLong(label)));
        };
    }

    @Override
    public Optional<SubscriptionSpec> subscription(String name) {
        lifecycle.ensureOpen();
        Names.requireLegal(name, "subscription");
        Subscription found;
        try {
            found = clients.subscriptions().getSubscription(names.subscription(name));
        } catch (NotFoundException e) {
            return Optional.empty();
        } catch (ApiException e) {
            throw new TransportException("cannot read subscription " + name + " from Pub/Sub: " + e.getMessage(), e);
        }
        Optional<String> topic = names.heraldTopic(found.getTopic());
        if (topic.isEmpty()) {
            // Its topic was deleted ("_deleted-topic_") or is not Herald's: the subscription cannot be used.
            return Optional.empty();
        }
        Duration delay = emulatorDelays.getOrDefault(name,
                Duration.ofMillis(Long.parseLong(found.getLabelsOrDefault(DELAY_LABEL, "0"))));
        return Optional.of(new SubscriptionSpec(name, topic.get(), start(found.getLabelsOrDefault(START_LABEL, "")),
                found.getEnableMessageOrdering(), delay));
    }

    /** Deletes the subscription, its retry and dead-letter subscriptions and their topics. Idempotent. */
    @Override
    public void deleteSubscription(String name) {
        lifecycle.ensureOpen();
        Names.requireLegal(name, "subscription");
        definitions.lock();
        try {
            for (SubscriptionName subscription : List.of(names.subscription(name), names.retrySubscription(name),
                    names.deadLetterSubscription(name))) {
                try {
                    clients.subscriptions().deleteSubscription(subscription);
                } catch (NotFoundException gone) {
                    // Idempotent.
                }
            }
            for (TopicName topic : List.of(names.retryTopic(name), names.deadLetterTopic(name))) {
                clients.forgetTopic(topic);
                try {
                    clients.topics().deleteTopic(topic);
                } catch (NotFoundException gone) {
                    // Idempotent.
                }
            }
            emulatorDelays.remove(name);
        } catch (ApiException e) {
            throw new TransportException("cannot delete subscription " + name + " in Pub/Sub: " + e.getMessage(), e);
        } finally {
            definitions.unlock();
        }
    }

    @Override
    public Consumer openConsumer(String subscription) {
        lifecycle.ensureOpen();
        SubscriptionSpec spec = subscription(subscription).orElseThrow(
                () -> new IllegalArgumentException("no such subscription: " + subscription));
        PubSubConsumer consumer = new PubSubConsumer(this, clients, options, names, spec, ackFlusher);
        consumers.add(consumer);
        if (lifecycle.isClosed()) {
            consumer.close();
            throw lifecycle.closedError();
        }
        return consumer;
    }

    /** Forgets a closed consumer. */
    void closed(PubSubConsumer consumer) {
        consumers.remove(consumer);
    }

    /** Moves the subscription with Pub/Sub's seek to a timestamp. */
    @Override
    public void seek(String subscription, StartPosition position) {
        lifecycle.ensureOpen();
        Objects.requireNonNull(position, "position");
        if (!canSeek()) {
            throw new UnsupportedOperationException("the pubsub transport cannot seek: " + (options.emulator()
                    ? "the Pub/Sub emulator has no seek" : "topic retention is off"));
        }
        if (subscription(subscription).isEmpty()) {
            throw new IllegalArgumentException("no such subscription: " + subscription);
        }
        try {
            seekTo(subscription, position);
        } catch (ApiException e) {
            throw new TransportException("cannot seek " + subscription + " in Pub/Sub: " + e.getMessage(), e);
        }
    }

    private void seekTo(String subscription, StartPosition position) {
        Instant time = switch (position) {
            case StartPosition.Latest latest -> Instant.now();
            case StartPosition.Earliest earliest -> Instant.now().minus(options.topicRetention());
            case StartPosition.At at -> at.timestamp();
        };
        clients.subscriptions().seek(SeekRequest.newBuilder().setSubscription(names.subscription(subscription).toString())
                .setTime(Timestamp.newBuilder().setSeconds(time.getEpochSecond()).setNanos(time.getNano())).build());
    }

    @Override
    public SubscriptionStats stats(String subscription) {
        lifecycle.ensureOpen();
        if (subscription(subscription).isEmpty()) {
            throw new IllegalArgumentException("no such subscription: " + subscription);
        }
        long inFlight = consumers.stream().filter(c -> c.subscription().equals(subscription))
                .mapToLong(PubSubConsumer::inFlight).sum();
        return new SubscriptionStats(inFlight, inFlight, readDeadLetters(subscription).size());
    }

    @Override
    public List<DeadLetter> deadLetters(String subscription, String afterIdOrNull, int limit) {
        lifecycle.ensureOpen();
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        List<DeadLetter> all = readDeadLetters(subscription);
        int from = 0;
        if (afterIdOrNull != null) {
            for (int i = 0; i < all.size(); i++) {
                if (all.get(i).id().equals(afterIdOrNull)) {
                    from = i + 1;
                    break;
                }
            }
        }
        return List.copyOf(all.subList(Math.min(from, all.size()), Math.min(all.size(), from + limit)));
    }

    private List<DeadLetter> readDeadLetters(String subscription) {
        Names.requireLegal(subscription, "subscription");
        try {
            return deadLetters.list(subscription);
        } catch (NotFoundException e) {
            return List.of();
        } catch (ApiException e) {
            throw new TransportException("cannot read the dead letters of " + subscription + ": " + e.getMessage(), e);
        }
    }

    @Override
    public int redrive(String subscription, List<String> deadLetterIds) {
        return settleDeadLetters(subscription, deadLetterIds, "redrive", deadLetters::redrive);
    }

    @Override
    public int discard(String subscription, List<String> deadLetterIds) {
        return settleDeadLetters(subscription, deadLetterIds, "discard", deadLetters::discard);
    }

    /** What redrive and discard do to the named dead letters of one subscription. */
    @FunctionalInterface
    private interface DeadLetterAction {
        int apply(String subscription, List<String> deadLetterIds);
    }

    /** Redrive and discard share their checks and error mapping: a missing subscription settles nothing. */
    private int settleDeadLetters(String subscription, List<String> deadLetterIds, String verb, DeadLetterAction action) {
        lifecycle.ensureOpen();
        Objects.requireNonNull(deadLetterIds, "deadLetterIds");
        Names.requireLegal(subscription, "subscription");
        if (deadLetterIds.isEmpty()) {
            return 0;
        }
        try {
            return action.apply(subscription, deadLetterIds);
        } catch (NotFoundException e) {
            return 0;
        } catch (ApiException e) {
            throw new TransportException("cannot " + verb + " dead letters of " + subscription + ": " + e.getMessage(), e);
        }
    }

    /** A consumer gave up on an event: stores it as a dead letter of the subscription. */
    void bury(String subscription, CloudEvent event, int attempts, Instant publishedAt, String error) {
        deadLetters.bury(subscription, event, attempts, publishedAt, error);
    }

    /** Closes this process's consumers, then the clients. */
    @Override
    public void close() {
        if (!lifecycle.close()) {
            return;
        }
        for (PubSubConsumer consumer : List.copyOf(consumers)) {
            consumer.close();
        }
        ackFlusher.shutdown();
        clients.close();
    }

    @Override
    public String toString() {
        return "PubSubTransport[" + options.project() + (options.endpoint().isEmpty() ? "" : " at " + options.endpoint())
                + "]";
    }
}
