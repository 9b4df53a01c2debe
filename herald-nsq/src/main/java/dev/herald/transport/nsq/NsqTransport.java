package dev.herald.transport.nsq;

import dev.herald.transport.Capability;
import dev.herald.transport.Consumer;
import dev.herald.transport.DeadLetter;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionSpec;
import dev.herald.transport.SubscriptionStats;
import dev.herald.transport.Transport;
import dev.herald.transport.spi.Lifecycle;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.jackson.JsonFormat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Herald over <a href="https://nsq.io">NSQ</a>, speaking nsqd's TCP protocol V2 itself (no maintained Java client
 * exists) and its HTTP API for channels and depth; nsqlookupd's {@code /lookup} finds further nsqd nodes.
 *
 * <h2>Mapping</h2>
 * <ul>
 *   <li><b>Topic</b> = NSQ topic of the same name. <b>Event</b> = one message whose body is the CloudEvent in
 *       structured JSON ({@code application/cloudevents+json}), byte for byte as the core wrote it.</li>
 *   <li><b>Publish</b> = PUB for one event, MPUB for a batch (split at {@link NsqOptions#maxBatchBytes()}); it
 *       returns once nsqd answered {@code OK} to every command. How durable that is depends on nsqd: with its
 *       default {@code --mem-queue-size=10000} an acknowledged message may live only in memory and is lost if nsqd
 *       dies; run nsqd with {@code --mem-queue-size=0} so every message is written to its disk queue before the
 *       {@code OK}. A batch split over several MPUBs is not atomic.</li>
 *   <li><b>Subscription</b> = NSQ channel named after it on the topic, created over HTTP
 *       ({@code /channel/create}) when the subscription is, so it keeps every message published from then on
 *       (NSQ copies a message to the channels that exist when it arrives: a subscription starts at {@code latest}
 *       whatever it asks, and nothing can be replayed). Competing consumers of a subscription are clients of one
 *       channel: nsqd hands each message to one of them.</li>
 *   <li><b>Private topic</b> {@code <topic>.<subscription>.herald}, read by the subscription's consumers on the
 *       same channel: where redriven dead letters and long-deferred deliveries go, so that they reach that one
 *       subscription and not every channel of the topic. Its bodies carry the original publish time
 *       ({@link PrivateBody}).</li>
 *   <li><b>Consume</b>: per nsqd and topic a connection SUBs the channel and announces RDY
 *       ({@link NsqOptions#maxInFlight()}); messages pushed by nsqd wait in the consumer until polled.
 *       <b>ack</b> = FIN; <b>nack(delay)</b> = REQ with the delay (nsqd's own deferral: NATIVE_DELAY);
 *       <b>attempt</b> = the message's attempts counter, which nsqd increments on every delivery, so max attempts
 *       are counted by nsqd. A delivery held longer than half of {@link NsqOptions#messageTimeout()} is TOUCHed;
 *       closing a consumer REQs what it holds with no delay, sends RDY 0 and CLS. Heartbeats are answered with NOP.</li>
 *   <li><b>Delivery delay</b> of a subscription (NSQ has none per channel): a message that arrives before its
 *       publish time plus the delay is held in flight until due when that is within half the message timeout,
 *       otherwise replaced by a DPUB to the private topic due then (FIN of the original after the DPUB's OK).</li>
 *   <li><b>Dead letters</b>: NSQ has none, and a topic cannot serve as a dead-letter store: nsqd cannot list, read
 *       without consuming, or remove a single message. So dead letters, like subscription definitions (a channel
 *       has no attributes to keep a delay in), live in {@code nsq-state.json} in {@link NsqOptions#stateDir()}
 *       ({@link StateFile}); a dead letter is written to disk before its message is FINished. Redrive PUBs it to the
 *       private topic (attempts start again at 1), then removes it.</li>
 * </ul>
 *
 * <h2>Capabilities</h2>
 * NATIVE_DELAY (REQ and DPUB) and CONSUMER_GROUPS (clients of one channel). DURABLE only when
 * {@link NsqOptions#durableNsqd()} says every nsqd runs with {@code --mem-queue-size=0}: nsqd's {@code OK} means
 * "on disk" only then, and Herald cannot see nsqd's flags. Not ORDERING (nsqd gives no order guarantee, and
 * requeued messages come back out of order), not REPLAY (a channel starts empty and FINished messages are gone),
 * not QUERY (nothing can be read back), not ATOMIC_BATCH (no such promise for MPUB, and a large batch is several
 * MPUBs), not TRANSACTIONS, not NATIVE_FILTERING. The subscription state is a local file, so one Herald instance
 * serves an NSQ deployment (not a cluster of them).
 */
public final class NsqTransport implements Transport {

    private static final EventFormat FORMAT = new JsonFormat();
    private static final String PRIVATE_SUFFIX = ".herald";

    private final NsqOptions options;
    private final Lifecycle lifecycle = new Lifecycle("the NSQ transport");
    private final StateFile state;
    private final NsqHttp http;
    private final Publisher publisher;
    private final ScheduledExecutorService scheduler;
    private final Set<NsqConsumer> consumers = ConcurrentHashMap.newKeySet();

    private NsqTransport(NsqOptions options) {
        this.options = options;
        this.state = new StateFile(options.stateDir());
        this.http = new NsqHttp(options);
        this.publisher = new Publisher(options, "herald-publisher");
        this.scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("herald-nsq-timer").factory());
    }

    /** Opens the transport; connections to nsqd are made when first needed. */
    public static NsqTransport open(NsqOptions options) {
        return new NsqTransport(Objects.requireNonNull(options, "options"));
    }

    @Override
    public String name() {
        return "nsq";
    }

    @Override
    public Set<Capability> capabilities() {
        Set<Capability> capabilities = EnumSet.of(Capability.NATIVE_DELAY, Capability.CONSUMER_GROUPS);
        if (options.durableNsqd()) {
            capabilities.add(Capability.DURABLE);
        }
        return capabilities;
    }

    @Override
    public void publish(String topic, List<EncodedEvent> events) {
        lifecycle.ensureOpen();
        requireName("topic", topic);
        Objects.requireNonNull(events, "events");
        if (events.isEmpty()) {
            return;
        }
        List<byte[]> bodies = new ArrayList<>(events.size());
        for (EncodedEvent event : events) {
            bodies.add(event.json());
        }
        publisher.publish(topic, bodies);
    }

    @Override
    public void createSubscription(SubscriptionSpec spec) {
        lifecycle.ensureOpen();
        requireName("topic", spec.topic());
        requireName("subscription", spec.name());
        StateFile.Subscription subscription = new StateFile.Subscription(spec.name(), spec.topic(),
                spec.deliveryDelay().toNanos());
        requireName("private topic of the subscription", privateTopic(subscription));
        if (spec.ordered()) {
            throw new UnsupportedOperationException("the nsq transport cannot keep per-key order (subscription "
                    + spec.name() + ")");
        }
        Optional<StateFile.Subscription> existing = state.subscription(spec.name());
        if (existing.isPresent() && !existing.get().topic().equals(spec.topic())) {
            throw new IllegalArgumentException("subscription " + spec.name() + " reads topic " + existing.get().topic()
                    + ", not " + spec.topic());
        }
        http.createChannel(spec.topic(), spec.name());
        http.createChannel(privateTopic(subscription), spec.name());
        state.putSubscription(subscription);
    }

    @Override
    public Optional<SubscriptionSpec> subscription(String name) {
        lifecycle.ensureOpen();
        return state.subscription(name).map(s -> SubscriptionSpec.of(s.name(), s.topic())
                .withDeliveryDelay(Duration.ofNanos(s.deliveryDelayNanos())));
    }

    @Override
    public void deleteSubscription(String name) {
        lifecycle.ensureOpen();
        Optional<StateFile.Subscription> existing = state.subscription(name);
        if (existing.isEmpty()) {
            return;
        }
        http.deleteChannel(existing.get().topic(), name);
        http.deleteTopic(privateTopic(existing.get()));
        state.removeSubscription(name);
    }

    @Override
    public Consumer openConsumer(String subscription) {
        lifecycle.ensureOpen();
        NsqConsumer consumer = NsqConsumer.open(this, existing(subscription));
        consumers.add(consumer);
        if (lifecycle.isClosed()) {
            consumer.close();
            throw lifecycle.closedError();
        }
        return consumer;
    }

    @Override
    public void seek(String subscription, StartPosition position) {
        throw new UnsupportedOperationException("the nsq transport cannot replay: a channel holds only messages not"
                + " yet finished");
    }

    @Override
    public SubscriptionStats stats(String subscription) {
        lifecycle.ensureOpen();
        StateFile.Subscription spec = existing(subscription);
        NsqHttp.ChannelDepth main = http.depth(spec.topic(), spec.name());
        NsqHttp.ChannelDepth retries = http.depth(privateTopic(spec), spec.name());
        return new SubscriptionStats(main.backlog() + retries.backlog(), main.inFlight() + retries.inFlight(),
                state.deadLetters(subscription).size());
    }

    @Override
    public List<DeadLetter> deadLetters(String subscription, String afterIdOrNull, int limit) {
        lifecycle.ensureOpen();
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        List<DeadLetter> page = new ArrayList<>();
        boolean after = afterIdOrNull == null;
        for (StateFile.Dead dead : state.deadLetters(subscription)) {
            if (page.size() >= limit) {
                break;
            }
            if (after) {
                page.add(new DeadLetter(dead.id(), dead.subscription(), decode(dead.event().getBytes(StandardCharsets.UTF_8)),
                        dead.attempts(), dead.lastError(), Instant.parse(dead.firstAttemptAt()), Instant.parse(dead.deadAt())));
            }
            after = after || dead.id().equals(afterIdOrNull);
        }
        return page;
    }

    @Override
    public int redrive(String subscription, List<String> deadLetterIds) {
        lifecycle.ensureOpen();
        StateFile.Subscription spec = existing(subscription);
        for (StateFile.Dead dead : state.deadLetters(subscription)) {
            if (deadLetterIds.contains(dead.id())) {
                publisher.publishDeferred(privateTopic(spec), new PrivateBody(dead.publishedAtNanos(),
                        dead.event().getBytes(StandardCharsets.UTF_8)).encode(), Duration.ZERO);
            }
        }
        return state.removeDeadLetters(subscription, deadLetterIds).size();
    }

    @Override
    public int discard(String subscription, List<String> deadLetterIds) {
        lifecycle.ensureOpen();
        return state.removeDeadLetters(subscription, deadLetterIds).size();
    }

    @Override
    public void close() {
        if (!lifecycle.close()) {
            return;
        }
        List.copyOf(consumers).forEach(NsqConsumer::close);
        publisher.close();
        scheduler.shutdownNow();
    }

    /** The subscription's private topic: redriven and long-deferred messages for it alone. */
    static String privateTopic(StateFile.Subscription subscription) {
        return subscription.topic() + "." + subscription.name() + PRIVATE_SUFFIX;
    }

    /** Reads an event through the SDK's format: a transport returns what was published and applies no rules. */
    static CloudEvent decode(byte[] json) {
        return FORMAT.deserialize(json);
    }

    NsqOptions options() {
        return options;
    }

    NsqHttp http() {
        return http;
    }

    Publisher publisher() {
        return publisher;
    }

    StateFile state() {
        return state;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    void consumerClosed(NsqConsumer consumer) {
        consumers.remove(consumer);
    }

    private StateFile.Subscription existing(String subscription) {
        return state.subscription(subscription)
                .orElseThrow(() -> new IllegalArgumentException("no subscription " + subscription));
    }

    private static void requireName(String what, String name) {
        if (name == null || !Protocol.NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " name must be 1 to 64 of the characters .a-zA-Z0-9_- for NSQ: "
                    + name);
        }
    }

    @Override
    public String toString() {
        return "NsqTransport[" + options.nsqd() + "]";
    }
}
