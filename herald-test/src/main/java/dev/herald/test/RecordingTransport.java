package dev.herald.test;

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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The transport under a test store: the in-memory transport, plus a recording of what was stored and
 * consumers that also take events handed to one subscription directly ({@link Subscribers#consume}).
 * It changes no behaviour of the transport it wraps.
 */
final class RecordingTransport implements Transport {

    private final Transport delegate;
    private final PublishedEvents recording = new PublishedEvents(this);
    /** Guarded by this. */
    private final Set<String> subscriptions = new LinkedHashSet<>();
    /** Guarded by this. */
    private final Map<String, List<InjectingConsumer>> consumers = new LinkedHashMap<>();

    RecordingTransport(Transport delegate) {
        this.delegate = delegate;
    }

    PublishedEvents recording() {
        return recording;
    }

    synchronized List<String> subscriptionNames() {
        return List.copyOf(subscriptions);
    }

    /**
     * Hands an event to a running consumer of {@code subscription}, bypassing the topic.
     *
     * @throws IllegalStateException when no consumer of the subscription is open
     */
    void inject(String subscription, SyntheticDelivery delivery) {
        InjectingConsumer consumer;
        synchronized (this) {
            List<InjectingConsumer> open = consumers.getOrDefault(subscription, List.of());
            if (open.isEmpty()) {
                throw new IllegalStateException("subscription " + subscription + " has no open consumer");
            }
            consumer = open.getFirst();
        }
        consumer.inject(delivery);
    }

    synchronized void closed(String subscription, InjectingConsumer consumer) {
        List<InjectingConsumer> open = consumers.get(subscription);
        if (open != null) {
            open.remove(consumer);
        }
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public Set<Capability> capabilities() {
        return delegate.capabilities();
    }

    /** Serialised so that the recorded order is the order the transport stored the events in. */
    @Override
    public synchronized void publish(String topic, List<EncodedEvent> events) {
        delegate.publish(topic, events);
        recording.stored(EncodedEvent.events(events));
    }

    @Override
    public void createSubscription(SubscriptionSpec spec) {
        delegate.createSubscription(spec);
        synchronized (this) {
            subscriptions.add(spec.name());
        }
    }

    @Override
    public Optional<SubscriptionSpec> subscription(String name) {
        return delegate.subscription(name);
    }

    @Override
    public void deleteSubscription(String name) {
        delegate.deleteSubscription(name);
        synchronized (this) {
            subscriptions.remove(name);
        }
    }

    @Override
    public Consumer openConsumer(String subscription) {
        InjectingConsumer consumer = new InjectingConsumer(delegate.openConsumer(subscription), subscription, this);
        synchronized (this) {
            consumers.computeIfAbsent(subscription, name -> new ArrayList<>()).add(consumer);
        }
        return consumer;
    }

    @Override
    public void seek(String subscription, StartPosition position) {
        delegate.seek(subscription, position);
    }

    @Override
    public SubscriptionStats stats(String subscription) {
        return delegate.stats(subscription);
    }

    @Override
    public List<DeadLetter> deadLetters(String subscription, String afterIdOrNull, int limit) {
        return delegate.deadLetters(subscription, afterIdOrNull, limit);
    }

    @Override
    public int redrive(String subscription, List<String> deadLetterIds) {
        return delegate.redrive(subscription, deadLetterIds);
    }

    @Override
    public int discard(String subscription, List<String> deadLetterIds) {
        return delegate.discard(subscription, deadLetterIds);
    }

    @Override
    public LogPage query(LogQuery query) {
        return delegate.query(query);
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return "RecordingTransport[" + delegate + "]";
    }
}
