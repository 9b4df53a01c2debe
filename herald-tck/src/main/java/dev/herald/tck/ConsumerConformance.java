package dev.herald.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.transport.Consumer;
import dev.herald.transport.Delivery;
import dev.herald.transport.SubscriptionSpec;
import dev.herald.transport.SubscriptionStats;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Always — consumers and subscriptions: TCK.md items 8 and 9, plus the rest of the SPI contract
 * every transport keeps (delivery delay, stats, polling, subscription lifecycle).
 */
public interface ConsumerConformance extends ConformanceContext {

    @Test
    @DisplayName("Always 8: consumers opened and closed concurrently, then new events: a new consumer gets everything")
    default void consumersOpenedAndClosedConcurrently() throws Exception {
        String topic = fresh("topic");
        SubscriptionSpec spec = subscribe(topic);
        String run = fresh("run");
        List<CloudEvent> before = TestEvents.probes(run, scaled(20));
        publish(topic, before);
        // Churn: each consumer may take deliveries and leave them unsettled; closing releases them.
        concurrently(8, thread -> {
            for (int i = 0; i < 10; i++) {
                try (Consumer consumer = transport().openConsumer(spec.name())) {
                    consumer.poll(5, Duration.ofMillis(i % 3 == 0 ? 0 : 20));
                }
            }
        });
        List<CloudEvent> after = TestEvents.probes(run, before.size(), scaled(20));
        publish(topic, after);
        DeliveryLog log = collect(spec.name()).log();
        List<String> expected = new ArrayList<>(ids(before));
        expected.addAll(ids(after));
        awaitAcked(log, expected);
        quietPeriod();
        assertReceivedExactly(log, expected, true);
    }

    @Test
    @DisplayName("Always 9: a closed consumer gets nothing more, its subscription and other subscriptions carry on")
    default void closedConsumerReceivesNothingMore() throws Exception {
        String topic = fresh("topic");
        SubscriptionSpec closing = subscribe(topic);
        SubscriptionSpec other = subscribe(topic);
        DeliveryLog otherLog = collect(other.name()).log();
        Consumer consumer = openConsumer(closing.name());
        Set<String> received = ConcurrentHashMap.newKeySet();
        AtomicReference<Throwable> pollerEnd = new AtomicReference<>();
        Thread poller = Thread.ofVirtual().name("tck-closing-consumer").start(() -> {
            try {
                while (true) {
                    for (Delivery delivery : consumer.poll(10, Duration.ofMillis(500))) {
                        received.add(delivery.event().getId());
                        delivery.ack();
                    }
                }
            } catch (Throwable e) {
                pollerEnd.set(e);
            }
        });
        String run = fresh("run");
        List<CloudEvent> first = TestEvents.probes(run, scaled(20));
        publish(topic, first);
        await().until(() -> received.containsAll(ids(first)));

        // The poller is most likely blocked in poll now: close from this thread.
        consumer.close();
        List<CloudEvent> second = TestEvents.probes(run, first.size(), scaled(20));
        publish(topic, second);
        List<String> everything = new ArrayList<>(ids(first));
        everything.addAll(ids(second));
        // Once the other subscription has the second batch, the closed consumer had its chance to misbehave.
        awaitAcked(otherLog, everything);
        DeliveryLog reopened = collect(closing.name()).log();
        assertThat(received).as("events published after close() returned, received by the closed consumer")
                .doesNotContainAnyElementsOf(ids(second));
        assertThat(poller.join(timeout())).as("the polling thread ends once its consumer is closed").isTrue();
        assertThat(pollerEnd.get()).as("poll after close").isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> consumer.poll(1, Duration.ZERO)).isInstanceOf(IllegalStateException.class);

        awaitAcked(reopened, ids(second));
        quietPeriod();
        assertThat(received).as("still nothing for the closed consumer").doesNotContainAnyElementsOf(ids(second));
        assertReceivedExactly(otherLog, everything, true);
        assertReceivedExactly(reopened, ids(second), true);
    }

    @Test
    @DisplayName("Always: a subscription's delivery delay is honoured")
    default void deliveryDelayIsHonoured() throws Exception {
        Duration delay = Duration.ofMillis(600);
        String topic = fresh("topic");
        SubscriptionSpec spec = subscribe(SubscriptionSpec.of(fresh("sub"), topic).withDeliveryDelay(delay));
        assertThat(transport().subscription(spec.name())).hasValueSatisfying(
                stored -> assertThat(stored.deliveryDelay()).isEqualTo(delay));
        DeliveryLog log = collect(spec.name()).log();
        List<CloudEvent> events = TestEvents.probes(fresh("run"), scaled(10));
        long publishing = System.nanoTime();
        publish(topic, events);
        awaitAcked(log, ids(events));
        for (DeliveryLog.Entry entry : log.entries()) {
            assertThat(Duration.ofNanos(entry.nanos() - publishing)).as("delivery of %s", entry.id())
                    .isGreaterThanOrEqualTo(delay.minus(CLOCK_TOLERANCE));
        }
        quietPeriod();
        assertReceivedExactly(log, ids(events), true);
    }

    @Test
    @DisplayName("Always: stats count the backlog, which drains to 0 once everything is acked")
    default void statsBacklogDrainsToZero() throws Exception {
        String topic = fresh("topic");
        SubscriptionSpec spec = subscribe(topic);
        assertThat(transport().stats(spec.name())).isEqualTo(new SubscriptionStats(0, 0, 0));
        List<CloudEvent> events = TestEvents.probes(fresh("run"), scaled(30));
        publish(topic, events);
        SubscriptionStats waiting = transport().stats(spec.name());
        assertThat(waiting.backlog()).as("backlog before consuming").isBetween(1L, (long) events.size());
        assertThat(waiting.deadLetters()).isZero();

        Consumer consumer = openConsumer(spec.name());
        List<Delivery> held = new ArrayList<>();
        await().until(() -> {
            held.addAll(consumer.poll(1, Duration.ofMillis(100)));
            return !held.isEmpty();
        });
        assertThat(transport().stats(spec.name()).inFlight()).as("in flight while a delivery is held").isPositive();
        held.forEach(Delivery::ack);
        consumer.close();

        List<String> rest = new ArrayList<>(ids(events));
        held.forEach(d -> rest.remove(d.event().getId()));
        DeliveryLog log = collect(spec.name()).log();
        awaitAcked(log, rest);
        await().untilAsserted(() -> assertThat(transport().stats(spec.name()))
                .isEqualTo(new SubscriptionStats(0, 0, 0)));
    }

    @Test
    @DisplayName("Always: poll returns early when an event arrives, and empty when none does")
    default void pollReturnsEarlyWhenAnEventArrives() throws Exception {
        String topic = fresh("topic");
        SubscriptionSpec spec = subscribe(topic);
        Consumer consumer = openConsumer(spec.name());
        assertThat(consumer.poll(10, Duration.ofMillis(50))).as("nothing published yet").isEmpty();

        AtomicReference<List<Delivery>> result = new AtomicReference<>();
        long started = System.nanoTime();
        Thread poller = Thread.ofVirtual().start(() -> {
            try {
                result.set(consumer.poll(10, Duration.ofSeconds(30)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread.sleep(200);
        CloudEvent event = TestEvents.probe(fresh("run"), 0);
        publish(topic, List.of(event));
        assertThat(poller.join(Duration.ofSeconds(20))).as("poll(30 s) returned well before its timeout").isTrue();
        report("poll wake-up", (System.nanoTime() - started) / 1_000_000 + " ms after the poll began (published at 200 ms)");
        assertThat(result.get()).extracting(d -> d.event().getId()).containsExactly(event.getId());
        result.get().forEach(Delivery::ack);
    }

    @Test
    @DisplayName("Always: subscriptions are created idempotently, updated in place keeping their position, and deleted")
    default void subscriptionLifecycle() throws Exception {
        String topic = fresh("topic");
        String name = fresh("sub");
        assertThat(transport().subscription(name)).isEmpty();
        SubscriptionSpec spec = subscribe(SubscriptionSpec.of(name, topic));
        transport().createSubscription(spec);
        assertThat(transport().subscription(name)).hasValueSatisfying(stored -> {
            assertThat(stored.name()).isEqualTo(name);
            assertThat(stored.topic()).isEqualTo(topic);
            assertThat(stored.ordered()).isFalse();
            assertThat(stored.deliveryDelay()).isZero();
        });

        String run = fresh("run");
        List<CloudEvent> first = TestEvents.probes(run, 5);
        publish(topic, first);
        try (Collector collector = collect(name)) {
            awaitAcked(collector.log(), ids(first));
        }
        Duration delay = Duration.ofMillis(100);
        transport().createSubscription(spec.withDeliveryDelay(delay));
        assertThat(transport().subscription(name)).hasValueSatisfying(
                stored -> assertThat(stored.deliveryDelay()).isEqualTo(delay));
        List<CloudEvent> second = TestEvents.probes(run, 5, 5);
        publish(topic, second);
        try (Collector collector = collect(name)) {
            awaitAcked(collector.log(), ids(second));
            quietPeriod();
            assertReceivedExactly(collector.log(), ids(second), true);
        }

        transport().deleteSubscription(name);
        assertThat(transport().subscription(name)).isEmpty();
        transport().deleteSubscription(name);
        assertThatThrownBy(() -> transport().openConsumer(name)).isInstanceOf(IllegalArgumentException.class);
    }
}
