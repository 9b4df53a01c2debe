package dev.herald.transport.memory;

import dev.herald.transport.Capability;
import dev.herald.transport.Consumer;
import dev.herald.transport.DeadLetter;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.LogEntry;
import dev.herald.transport.LogPage;
import dev.herald.transport.LogQuery;
import dev.herald.transport.SequenceScan;
import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionSpec;
import dev.herald.transport.SubscriptionStats;
import dev.herald.transport.Transport;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A thread-safe in-memory transport for tests and examples. Declares {@link Capability#ORDERING},
 * {@link Capability#REPLAY}, {@link Capability#CONSUMER_GROUPS}, {@link Capability#ATOMIC_BATCH},
 * {@link Capability#NATIVE_DELAY}, {@link Capability#NATIVE_FILTERING} and {@link Capability#QUERY};
 * not {@link Capability#DURABLE}: nothing survives the JVM.
 *
 * <p>The data lives in an {@link InMemoryBroker}. {@code new InMemoryTransport()} brings its own;
 * transports made by {@link InMemoryBroker#connect()} share one, so closing one transport and opening
 * another sees the same topics, positions and dead letters (what the conformance kit's restart
 * tests need). Closing a transport closes its consumers and refuses further calls; the broker's
 * data stays.
 *
 * <p>How it works: a topic is an append-only list of events with publish times. A subscription
 * keeps a cursor into it and the state of each unsettled event it has taken in (waiting, in flight
 * with its attempt count, or waiting for a retry until an instant). An ordered subscription hands
 * out an event of key K (its {@link EncodedEvent#orderingKey}) only when no earlier event of K is
 * unsettled; events without a key are unordered. With a delivery delay an event is invisible to the
 * subscription until its publish time plus the delay. An event the subscription's
 * {@link SubscriptionSpec#filter() native filter} rejects is passed over when the cursor reaches it,
 * never delivered. Polls wait on a condition, never spin.
 *
 * <p>Attempts count hand-outs: 1 for the first delivery, one more after each nack, and also after a
 * delivery was released by a closing consumer. Redriven dead letters start again at attempt 1 and
 * queue behind their key's current events.
 */
public final class InMemoryTransport implements Transport {

    private static final Set<Capability> CAPABILITIES = Set.copyOf(EnumSet.of(Capability.ORDERING,
            Capability.REPLAY, Capability.CONSUMER_GROUPS, Capability.ATOMIC_BATCH, Capability.NATIVE_DELAY,
            Capability.NATIVE_FILTERING, Capability.QUERY));

    private final InMemoryBroker broker;
    /** Open consumers of this transport; guarded by the broker's lock. */
    private final Set<MemoryConsumer> consumers = new LinkedHashSet<>();
    /** Guarded by the broker's lock. */
    private boolean closed;

    /** A transport with a broker of its own. */
    public InMemoryTransport() {
        this(new InMemoryBroker());
    }

    /** A transport on a shared broker. */
    public InMemoryTransport(InMemoryBroker broker) {
        this.broker = Objects.requireNonNull(broker, "broker");
    }

    /** The broker holding this transport's data. */
    public InMemoryBroker broker() {
        return broker;
    }

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public Set<Capability> capabilities() {
        return CAPABILITIES;
    }

    /** Appends all events under one lock hold: the batch becomes visible at once, or (on a bad argument) not at all. */
    @Override
    public void publish(String topic, List<EncodedEvent> events) {
        requireName(topic, "topic");
        List<EncodedEvent> batch = List.copyOf(Objects.requireNonNull(events, "events")); // rejects null elements
        locked(() -> {
            requireOpen();
            MemoryTopic log = broker.topic(topic);
            for (EncodedEvent event : batch) {
                log.append(new StoredEvent(log.size(), event, broker.nextPublishTime()));
            }
            if (!batch.isEmpty()) {
                log.subscriptions().forEach(s -> s.changed.signalAll());
            }
            return null;
        });
    }

    /** @throws IllegalArgumentException when the subscription exists on another topic */
    @Override
    public void createSubscription(SubscriptionSpec spec) {
        Objects.requireNonNull(spec, "spec");
        locked(() -> {
            requireOpen();
            MemorySubscription existing = broker.subscriptions().get(spec.name());
            if (existing == null) {
                MemoryTopic topic = broker.topic(spec.topic());
                MemorySubscription created = new MemorySubscription(spec, topic, broker.lock.newCondition());
                broker.subscriptions().put(spec.name(), created);
                topic.subscriptions().add(created);
            } else if (!existing.spec().topic().equals(spec.topic())) {
                throw new IllegalArgumentException("subscription " + spec.name() + " reads topic "
                        + existing.spec().topic() + ", not " + spec.topic());
            } else {
                existing.update(spec);
            }
            return null;
        });
    }

    @Override
    public Optional<SubscriptionSpec> subscription(String name) {
        return locked(() -> {
            requireOpen();
            return Optional.ofNullable(broker.subscriptions().get(name)).map(MemorySubscription::spec);
        });
    }

    @Override
    public void deleteSubscription(String name) {
        locked(() -> {
            requireOpen();
            MemorySubscription removed = broker.subscriptions().remove(name);
            if (removed != null) {
                removed.topic().subscriptions().remove(removed);
                removed.markDeleted();
            }
            return null;
        });
    }

    @Override
    public Consumer openConsumer(String subscription) {
        return locked(() -> {
            requireOpen();
            MemoryConsumer consumer = new MemoryConsumer(this, broker, existing(subscription));
            consumers.add(consumer);
            return consumer;
        });
    }

    @Override
    public void seek(String subscription, StartPosition position) {
        Objects.requireNonNull(position, "position");
        locked(() -> {
            requireOpen();
            existing(subscription).seek(position);
            return null;
        });
    }

    @Override
    public SubscriptionStats stats(String subscription) {
        return locked(() -> {
            requireOpen();
            return existing(subscription).stats();
        });
    }

    /** Dead-letter ids are decimal numbers, increasing in dead-letter order. */
    @Override
    public List<DeadLetter> deadLetters(String subscription, String afterIdOrNull, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        return locked(() -> {
            requireOpen();
            return existing(subscription).deadLetters(afterIdOrNull, limit);
        });
    }

    @Override
    public int redrive(String subscription, List<String> deadLetterIds) {
        List<String> ids = List.copyOf(deadLetterIds);
        return locked(() -> {
            requireOpen();
            return existing(subscription).redrive(ids, broker.now());
        });
    }

    @Override
    public int discard(String subscription, List<String> deadLetterIds) {
        List<String> ids = List.copyOf(deadLetterIds);
        return locked(() -> {
            requireOpen();
            return existing(subscription).discard(ids);
        });
    }

    /** Filters by reading ({@link SequenceScan}); sequence numbers are topic offsets plus one. */
    @Override
    public LogPage query(LogQuery query) {
        Objects.requireNonNull(query, "query");
        return SequenceScan.page(query, name(), (after, limit) -> locked(() -> {
            requireOpen();
            MemoryTopic log = broker.topic(query.topic());
            List<LogEntry> entries = new ArrayList<>();
            for (long offset = after; offset < log.size() && entries.size() < limit; offset++) {
                StoredEvent stored = log.get(offset);
                entries.add(new LogEntry(Long.toString(offset + 1), stored.publishedAt(), stored.event()));
            }
            return entries;
        }));
    }

    /** Closes this transport's consumers (releasing their deliveries); the broker keeps the data. Idempotent. */
    @Override
    public void close() {
        locked(() -> {
            closed = true;
            // Each close removes itself from the set through forget().
            for (MemoryConsumer consumer : new ArrayList<>(consumers)) {
                consumer.close();
            }
            return null;
        });
    }

    /** Called by a closing consumer, with the lock held. */
    void forget(MemoryConsumer consumer) {
        consumers.remove(consumer);
    }

    private MemorySubscription existing(String name) {
        MemorySubscription subscription = broker.subscriptions().get(name);
        if (subscription == null) {
            throw new IllegalArgumentException("no such subscription: " + name);
        }
        return subscription;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the memory transport is closed");
        }
    }

    private static void requireName(String name, String what) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
    }

    private <T> T locked(Supplier<T> action) {
        broker.lock.lock();
        try {
            return action.get();
        } finally {
            broker.lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "InMemoryTransport[" + (closed ? "closed" : "open") + "]";
    }
}
