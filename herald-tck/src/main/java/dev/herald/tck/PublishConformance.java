package dev.herald.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.event.EnvelopeRules;
import dev.herald.event.JsonEvents;
import dev.herald.transport.Capability;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionSpec;
import dev.herald.transport.Transport;
import io.cloudevents.CloudEvent;
import io.cloudevents.jackson.JsonFormat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Always — publishing and fan-out: TCK.md items 1, 2, 3, 4, 10 and 12. */
public interface PublishConformance extends ConformanceContext {

    @Test
    @DisplayName("Always 1: round trip keeps every attribute and the data byte-identical, also in the delivery's structured form")
    default void roundTripKeepsEveryAttributeAndData() throws Exception {
        String topic = fresh("topic");
        List<CloudEvent> events = TestEvents.full(fresh("run"), 0, scaled(25));
        SubscriptionSpec spec;
        if (declares(Capability.REPLAY)) {
            // Published before the subscription exists: it must start from earliest.
            publishOneThenTheRest(topic, events);
            spec = subscribe(SubscriptionSpec.of(fresh("sub"), topic).withStart(StartPosition.EARLIEST));
        } else {
            // Without replay a subscription sees only later events: published before any consumer.
            spec = subscribe(topic);
            publishOneThenTheRest(topic, events);
        }
        Map<String, byte[]> structured = new ConcurrentHashMap<>();
        DeliveryLog log = collect(spec.name(), delivery -> {
            structured.put(delivery.event().getId(), delivery.json());
            return Outcome.ack();
        }).log();
        awaitAcked(log, ids(events));
        Map<String, CloudEvent> received = log.ackedEvents();
        JsonFormat reader = new JsonFormat();
        for (CloudEvent event : events) {
            EventAssertions.assertSameEvent(event, received.get(event.getId()));
            // What a webhook posts or a pull stream returns without serialising again.
            EventAssertions.assertSameEvent(event, reader.deserialize(structured.get(event.getId())));
        }
        quietPeriod();
        assertReceivedExactly(log, ids(events), true);
    }

    private void publishOneThenTheRest(String topic, List<CloudEvent> events) {
        publish(topic, events.subList(0, 1));
        publish(topic, events.subList(1, events.size()));
    }

    @Test
    @DisplayName("Always 2: concurrent publishers and concurrent consumers of one subscription, every event received")
    default void concurrentPublishersAndConsumers() throws Exception {
        String topic = fresh("topic");
        SubscriptionSpec spec = subscribe(topic);
        DeliveryLog log = new DeliveryLog();
        for (int i = 0; i < 4; i++) {
            collect(spec.name(), Collector.Handler.ACK, log);
        }
        String run = fresh("run");
        int perThread = scaled(25);
        Set<String> published = ConcurrentHashMap.newKeySet();
        concurrently(20, thread -> {
            int seq = 0;
            while (seq < perThread) {
                int size = Math.min(perThread - seq, 1 + ThreadLocalRandom.current().nextInt(5));
                List<CloudEvent> batch = TestEvents.probes(run + "-" + thread, seq, size);
                publish(topic, batch);
                published.addAll(ids(batch));
                seq += size;
            }
        });
        assertThat(published).hasSize(20 * perThread);
        awaitAcked(log, published);
        quietPeriod();
        assertReceivedExactly(log, published, true);
    }

    @Test
    @DisplayName("Always 3: many topics at once, each subscription receives exactly its topic's events")
    default void topicsAreIsolated() throws Exception {
        int topics = 8;
        int perTopic = scaled(25);
        List<String> names = new ArrayList<>();
        List<DeliveryLog> logs = new ArrayList<>();
        List<List<CloudEvent>> events = new ArrayList<>();
        for (int t = 0; t < topics; t++) {
            String topic = fresh("topic" + t);
            names.add(topic);
            logs.add(collect(subscribe(topic).name()).log());
            events.add(TestEvents.probes(fresh("run"), perTopic));
        }
        concurrently(topics, t -> {
            List<CloudEvent> mine = events.get(t);
            for (int i = 0; i < mine.size(); i += 5) {
                publish(names.get(t), mine.subList(i, Math.min(i + 5, mine.size())));
            }
        });
        for (int t = 0; t < topics; t++) {
            awaitAcked(logs.get(t), ids(events.get(t)));
        }
        quietPeriod();
        for (int t = 0; t < topics; t++) {
            assertReceivedExactly(logs.get(t), ids(events.get(t)), true);
        }
    }

    @Test
    @DisplayName("Always 4: fan-out, two subscriptions of one topic each receive everything")
    default void fanOutToEverySubscription() throws Exception {
        String topic = fresh("topic");
        DeliveryLog first = collect(subscribe(topic).name()).log();
        DeliveryLog second = collect(subscribe(topic).name()).log();
        List<CloudEvent> events = TestEvents.probes(fresh("run"), scaled(50));
        for (int i = 0; i < events.size(); i += 10) {
            publish(topic, events.subList(i, Math.min(i + 10, events.size())));
        }
        awaitAcked(first, ids(events));
        awaitAcked(second, ids(events));
        quietPeriod();
        assertReceivedExactly(first, ids(events), true);
        assertReceivedExactly(second, ids(events), true);
    }

    @Test
    @DisplayName("Always 10: transport closed while many threads publish, every publish that returned is delivered")
    default void publishesThatReturnedSurviveTransportClose() throws Exception {
        String topic = fresh("topic");
        SubscriptionSpec spec = subscribe(topic);
        Transport publisher = transport();
        String run = fresh("run");
        Set<String> attempted = ConcurrentHashMap.newKeySet();
        Set<String> confirmed = ConcurrentHashMap.newKeySet();
        AtomicInteger refused = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        int threads = 8;
        List<Thread> publishers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            publishers.add(Thread.ofVirtual().start(() -> {
                int seq = 0;
                while (!stop.get()) {
                    List<CloudEvent> batch = TestEvents.probes(run + "-" + thread, seq, 1 + seq % 3);
                    seq += batch.size();
                    attempted.addAll(ids(batch));
                    try {
                        publisher.publish(topic, EncodedEvent.all(batch));
                    } catch (RuntimeException e) {
                        refused.incrementAndGet();
                        return;
                    }
                    confirmed.addAll(ids(batch));
                }
            }));
        }
        int target = scaled(200);
        await().until(() -> confirmed.size() >= target);
        stopTransport();
        // Publishers keep going for a moment, so some calls are refused by the closed transport.
        Thread.sleep(100);
        stop.set(true);
        for (Thread thread : publishers) {
            assertThat(thread.join(timeout())).as("publisher thread finished").isTrue();
        }
        Set<String> returned = Set.copyOf(confirmed);
        report("publishes", returned.size() + " returned, " + (attempted.size() - returned.size())
                + " events in calls refused or cut off by close, " + refused.get() + " calls refused");

        reopen();
        DeliveryLog log = collect(spec.name()).log();
        awaitAcked(log, returned);
        quietPeriod();
        List<String> unknown = log.unexpected(attempted);
        assertThat(unknown).as("delivered events that were never published").isEmpty();
        int extra = log.deliveredIds().size() - returned.size();
        report("unconfirmed delivered", extra + " events whose publish did not return were delivered (allowed)");
    }

    @Test
    @DisplayName("Always 12a: a large batch in one publish call")
    default void largeBatchInOneCall() throws Exception {
        String topic = fresh("topic");
        SubscriptionSpec spec = subscribe(topic);
        // Capped so a stress run stays within a 1 GiB test heap.
        int n = Math.min(scaled(10_000), 200_000);
        List<CloudEvent> events = TestEvents.probes(fresh("run"), n);
        long started = System.nanoTime();
        publish(topic, events);
        report("large batch", n + " events published in one call in "
                + (System.nanoTime() - started) / 1_000_000 + " ms");
        DeliveryLog log = collect(spec.name(), Collector.Handler.ACK, new DeliveryLog(), 500).log();
        awaitAcked(log, ids(events));
        quietPeriod();
        assertReceivedExactly(log, ids(events), true);
    }

    @Test
    @DisplayName("Always 12b: maximum-size events (1 MiB structured) arrive intact")
    default void maximumSizeEvents() throws Exception {
        String topic = fresh("topic");
        SubscriptionSpec spec = subscribe(topic);
        String run = fresh("run");
        int max = EnvelopeRules.DEFAULT_MAX_EVENT_BYTES;
        List<CloudEvent> events = List.of(TestEvents.ofStructuredSize(run, 0, max),
                TestEvents.ofStructuredSize(run, 1, max), TestEvents.probe(run, 2));
        assertThat(JsonEvents.write(events.get(0))).hasSize(max);
        publish(topic, events.subList(0, 1));
        publish(topic, events.subList(1, 3));
        DeliveryLog log = collect(spec.name()).log();
        awaitAcked(log, ids(events));
        Map<String, CloudEvent> received = new HashMap<>(log.ackedEvents());
        for (CloudEvent event : events) {
            EventAssertions.assertSameEvent(event, received.get(event.getId()));
        }
        quietPeriod();
        assertReceivedExactly(log, ids(events), true);
    }
}
