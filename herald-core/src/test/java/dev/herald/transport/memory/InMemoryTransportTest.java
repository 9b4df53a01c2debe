package dev.herald.transport.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.event.EventBuilder;
import dev.herald.transport.Capability;
import dev.herald.transport.Consumer;
import dev.herald.transport.DeadLetter;
import dev.herald.transport.Delivery;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionSpec;
import dev.herald.transport.SubscriptionStats;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the conformance kit ({@code herald-tck}, run against this transport there) does not pin
 * down: seek details, regrouping on an ordering change, keyless events, dead-letter paging, closed
 * transports, wake-ups for due retries, deletion, shared brokers and argument checks.
 */
class InMemoryTransportTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final InMemoryTransport transport = new InMemoryTransport();

    @AfterEach
    void close() {
        transport.close();
    }

    @Test
    void declaresEverythingButDurability() {
        assertThat(transport.name()).isEqualTo("memory");
        assertThat(transport.capabilities()).containsExactlyInAnyOrder(Capability.ORDERING, Capability.REPLAY,
                Capability.CONSUMER_GROUPS, Capability.ATOMIC_BATCH, Capability.NATIVE_DELAY, Capability.NATIVE_FILTERING,
                Capability.QUERY);
    }

    @Test
    void orderedSubscriptionHoldsBackOnlyTheUnsettledKey() throws Exception {
        transport.createSubscription(SubscriptionSpec.of("s", "t").withOrdering(true));
        transport.publish("t", EncodedEvent.all(List.of(keyed("a", 0), keyed("a", 1), keyed("b", 2), keyed("b", 3))));
        try (Consumer consumer = transport.openConsumer("s")) {
            assertThat(seqs(consumer.poll(10, WAIT))).containsExactly(0, 2);
            assertThat(consumer.poll(10, Duration.ofMillis(50))).as("a1 and b3 wait for their keys").isEmpty();
        }
    }

    @Test
    void orderingKeyFallsBackToProjectThenSubject() throws Exception {
        transport.createSubscription(SubscriptionSpec.of("s", "t").withOrdering(true));
        CloudEvent project1 = base(0).project("p").subject("x").build();
        CloudEvent project2 = base(1).project("p").subject("y").build();
        CloudEvent subject1 = base(2).subject("z").build();
        CloudEvent subject2 = base(3).subject("z").build();
        transport.publish("t", EncodedEvent.all(List.of(project1, project2, subject1, subject2)));
        try (Consumer consumer = transport.openConsumer("s")) {
            assertThat(seqs(consumer.poll(10, WAIT))).containsExactly(0, 2);
        }
    }

    @Test
    void eventsWithoutAKeyAreUnorderedEvenOnAnOrderedSubscription() throws Exception {
        transport.createSubscription(SubscriptionSpec.of("s", "t").withOrdering(true));
        transport.publish("t", EncodedEvent.all(List.of(keyless(0), keyless(1), keyless(2))));
        try (Consumer consumer = transport.openConsumer("s")) {
            assertThat(seqs(consumer.poll(10, WAIT))).containsExactly(0, 1, 2);
        }
    }

    @Test
    void switchingOrderingOnRegroupsUnsettledEventsKeepingTheirState() throws Exception {
        transport.createSubscription(SubscriptionSpec.of("s", "t"));
        transport.publish("t", EncodedEvent.all(List.of(keyed("a", 0), keyed("a", 1), keyed("a", 2))));
        try (Consumer consumer = transport.openConsumer("s")) {
            List<Delivery> two = consumer.poll(2, WAIT);
            assertThat(seqs(two)).as("unordered: both at once").containsExactly(0, 1);
            two.get(1).nack(Duration.ZERO);
            transport.createSubscription(SubscriptionSpec.of("s", "t").withOrdering(true));
            assertThat(consumer.poll(10, Duration.ofMillis(50))).as("a1 (a retry) and a2 now wait behind a0").isEmpty();
            two.get(0).ack();
            List<Delivery> next = consumer.poll(10, WAIT);
            assertThat(seqs(next)).containsExactly(1);
            assertThat(next.get(0).attempt()).as("the retry kept its attempt count").isEqualTo(2);
            next.get(0).ack();
            assertThat(seqs(consumer.poll(10, WAIT))).containsExactly(2);
        }
        assertThat(transport.subscription("s")).hasValueSatisfying(spec -> assertThat(spec.ordered()).isTrue());
    }

    @Test
    void updatingASubscriptionToAnotherTopicIsRefused() {
        transport.createSubscription(SubscriptionSpec.of("s", "t"));
        assertThatThrownBy(() -> transport.createSubscription(SubscriptionSpec.of("s", "other")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reads topic t");
    }

    @Test
    void pollWakesWhenARetryFallsDueWithoutAnyOtherSignal() throws Exception {
        transport.createSubscription(SubscriptionSpec.of("s", "t"));
        transport.publish("t", EncodedEvent.all(List.of(keyless(0))));
        try (Consumer consumer = transport.openConsumer("s")) {
            consumer.poll(1, WAIT).get(0).nack(Duration.ofMillis(300));
            long started = System.nanoTime();
            List<Delivery> again = consumer.poll(1, Duration.ofSeconds(20));
            Duration waited = Duration.ofNanos(System.nanoTime() - started);
            assertThat(again).hasSize(1);
            assertThat(again.get(0).attempt()).isEqualTo(2);
            assertThat(waited).isGreaterThanOrEqualTo(Duration.ofMillis(290)).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void pollWakesWhenADelayedEventBecomesVisible() throws Exception {
        transport.createSubscription(SubscriptionSpec.of("s", "t").withDeliveryDelay(Duration.ofMillis(300)));
        try (Consumer consumer = transport.openConsumer("s")) {
            long started = System.nanoTime();
            transport.publish("t", EncodedEvent.all(List.of(keyless(0))));
            assertThat(transport.stats("s").backlog()).as("invisible events are backlog too").isEqualTo(1);
            List<Delivery> delivered = consumer.poll(1, Duration.ofSeconds(20));
            assertThat(delivered).hasSize(1);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(290));
        }
    }

    @Test
    void closingAConsumerWakesItsWaitingPollWithNothing() throws Exception {
        transport.createSubscription(SubscriptionSpec.of("s", "t"));
        Consumer consumer = transport.openConsumer("s");
        AtomicReference<List<Delivery>> result = new AtomicReference<>();
        Thread poller = Thread.ofVirtual().start(() -> {
            try {
                result.set(consumer.poll(10, Duration.ofSeconds(30)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread.sleep(100);
        consumer.close();
        assertThat(poller.join(Duration.ofSeconds(10))).isTrue();
        assertThat(result.get()).isEmpty();
        assertThatThrownBy(() -> consumer.poll(1, Duration.ZERO)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aReleasedDeliveryCountsAsAnAttemptAndSettlingItLaterDoesNothing() throws Exception {
        transport.createSubscription(SubscriptionSpec.of("s", "t"));
        transport.publish("t", EncodedEvent.all(List.of(keyless(0))));
        Consumer first = transport.openConsumer("s");
        Delivery stale = first.poll(1, WAIT).get(0);
        first.close();
        stale.deadLetter("too late");
        stale.ack();
        try (Consumer second = transport.openConsumer("s")) {
            Delivery again = second.poll(1, WAIT).get(0);
            assertThat(again.attempt()).isEqualTo(2);
            again.ack();
        }
        assertThat(transport.deadLetters("s", null, 10)).isEmpty();
        assertThat(transport.stats("s")).isEqualTo(new SubscriptionStats(0, 0, 0));
    }

    @Test
    void seekDropsWaitingRetriesAndLetsInFlightDeliveriesSettle() throws Exception {
        transport.createSubscription(SubscriptionSpec.of("s", "t").withStart(StartPosition.EARLIEST));
        transport.publish("t", EncodedEvent.all(List.of(keyless(0), keyless(1), keyless(2))));
        try (Consumer consumer = transport.openConsumer("s")) {
            List<Delivery> three = consumer.poll(3, WAIT);
            three.get(0).nack(Duration.ofHours(1)); // a retry waiting far in the future
            transport.seek("s", StartPosition.LATEST);
            assertThat(transport.stats("s")).as("the retry is dropped, two stay in flight")
                    .isEqualTo(new SubscriptionStats(2, 2, 0));
            three.get(1).ack();
            three.get(2).nack(Duration.ZERO); // after a seek a nack drops the delivery: the position decides
            assertThat(transport.stats("s")).isEqualTo(new SubscriptionStats(0, 0, 0));
            assertThat(consumer.poll(10, Duration.ofMillis(50))).isEmpty();

            transport.seek("s", StartPosition.EARLIEST);
            List<Delivery> replayed = consumer.poll(10, WAIT);
            assertThat(seqs(replayed)).containsExactly(0, 1, 2);
            assertThat(replayed).allSatisfy(d -> assertThat(d.attempt()).isEqualTo(1));
        }
    }

    @Test
    void aDetachedDeliveryCanStillBeDeadLettered() throws Exception {
        transport.createSubscription(SubscriptionSpec.of("s", "t"));
        transport.publish("t", EncodedEvent.all(List.of(keyless(0))));
        try (Consumer consumer = transport.openConsumer("s")) {
            Delivery delivery = consumer.poll(1, WAIT).get(0);
            transport.seek("s", StartPosition.LATEST);
            delivery.deadLetter("boom");
        }
        assertThat(transport.deadLetters("s", null, 10)).singleElement()
                .satisfies(letter -> assertThat(letter.lastError()).isEqualTo("boom"));
    }

    @Test
    void seekToATimestampIncludesEventsPublishedExactlyThen() throws Exception {
        transport.createSubscription(SubscriptionSpec.of("probe", "t").withStart(StartPosition.EARLIEST));
        transport.publish("t", EncodedEvent.all(List.of(keyless(0))));
        Thread.sleep(5);
        transport.publish("t", EncodedEvent.all(List.of(keyless(1), keyless(2))));
        List<Delivery> all;
        try (Consumer consumer = transport.openConsumer("probe")) {
            all = pollAtLeast(consumer, 3);
        }
        Delivery second = all.stream().filter(d -> seq(d) == 1).findFirst().orElseThrow();
        transport.createSubscription(SubscriptionSpec.of("s", "t").withStart(StartPosition.at(second.publishedAt())));
        try (Consumer consumer = transport.openConsumer("s")) {
            assertThat(seqs(pollAtLeast(consumer, 2))).containsExactlyInAnyOrder(1, 2);
        }
    }

    @Test
    void deadLettersArePagedOldestFirstAndUnknownIdsAreIgnored() throws Exception {
        transport.createSubscription(SubscriptionSpec.of("s", "t"));
        transport.publish("t", EncodedEvent.all(List.of(keyless(0), keyless(1), keyless(2))));
        try (Consumer consumer = transport.openConsumer("s")) {
            for (Delivery delivery : pollAtLeast(consumer, 3)) {
                delivery.deadLetter("error " + seq(delivery));
            }
        }
        List<DeadLetter> firstPage = transport.deadLetters("s", null, 2);
        assertThat(firstPage).hasSize(2);
        List<DeadLetter> secondPage = transport.deadLetters("s", firstPage.get(1).id(), 2);
        assertThat(secondPage).hasSize(1);
        assertThat(transport.deadLetters("s", secondPage.get(0).id(), 2)).isEmpty();
        assertThat(transport.deadLetters("s", null, 0)).isEmpty();
        assertThatThrownBy(() -> transport.deadLetters("s", "not-an-id", 2)).isInstanceOf(IllegalArgumentException.class);
        assertThat(transport.redrive("s", List.of("not-an-id", "999"))).isZero();
        assertThat(transport.discard("s", List.of("not-an-id"))).isZero();
        assertThat(transport.stats("s").deadLetters()).isEqualTo(3);
    }

    @Test
    void redrivenEventQueuesBehindItsKeysCurrentEvents() throws Exception {
        transport.createSubscription(SubscriptionSpec.of("s", "t").withOrdering(true));
        transport.publish("t", EncodedEvent.all(List.of(keyed("a", 0), keyed("a", 1))));
        try (Consumer consumer = transport.openConsumer("s")) {
            consumer.poll(1, WAIT).get(0).deadLetter("boom");
            Delivery one = consumer.poll(1, WAIT).get(0);
            assertThat(seq(one)).isEqualTo(1);
            String id = transport.deadLetters("s", null, 1).get(0).id();
            assertThat(transport.redrive("s", List.of(id))).isEqualTo(1);
            assertThat(consumer.poll(1, Duration.ofMillis(50))).as("a0 waits while a1 is in flight").isEmpty();
            one.ack();
            Delivery redriven = consumer.poll(1, WAIT).get(0);
            assertThat(seq(redriven)).isZero();
            assertThat(redriven.attempt()).isEqualTo(1);
        }
    }

    @Test
    void aDeletedSubscriptionStopsItsConsumers() throws Exception {
        transport.createSubscription(SubscriptionSpec.of("s", "t"));
        transport.publish("t", EncodedEvent.all(List.of(keyless(0))));
        Consumer consumer = transport.openConsumer("s");
        Delivery delivery = consumer.poll(1, WAIT).get(0);
        transport.deleteSubscription("s");
        delivery.ack(); // no effect, and no failure
        assertThatThrownBy(() -> consumer.poll(1, Duration.ZERO)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("deleted");
        assertThatThrownBy(() -> transport.stats("s")).isInstanceOf(IllegalArgumentException.class);
        consumer.close();

        transport.createSubscription(SubscriptionSpec.of("s", "t").withStart(StartPosition.EARLIEST));
        try (Consumer fresh = transport.openConsumer("s")) {
            assertThat(seqs(fresh.poll(1, WAIT))).as("a new subscription of the same name starts afresh").containsExactly(0);
        }
    }

    @Test
    void aClosedTransportReleasesItsDeliveriesButTheBrokerKeepsTheData() throws Exception {
        transport.createSubscription(SubscriptionSpec.of("s", "t"));
        transport.publish("t", EncodedEvent.all(List.of(keyless(0))));
        Consumer consumer = transport.openConsumer("s");
        consumer.poll(1, WAIT);
        transport.close();

        try (InMemoryTransport again = transport.broker().connect()) {
            assertThat(again.stats("s")).as("the broker kept the data; the delivery was released")
                    .isEqualTo(new SubscriptionStats(1, 0, 0));
        }
    }

    @Test
    void transportsOnOneBrokerShareDataButNotConsumers() throws Exception {
        InMemoryBroker broker = new InMemoryBroker();
        try (InMemoryTransport one = broker.connect(); InMemoryTransport two = broker.connect()) {
            one.createSubscription(SubscriptionSpec.of("s", "t"));
            Consumer onTwo = two.openConsumer("s");
            one.publish("t", EncodedEvent.all(List.of(keyless(0))));
            one.close();
            assertThat(seqs(onTwo.poll(1, WAIT))).containsExactly(0);
        }
    }

    @Test
    void publishTimesNeverDecreaseAndABadBatchStoresNothing() throws Exception {
        transport.createSubscription(SubscriptionSpec.of("s", "t"));
        List<CloudEvent> withNull = new ArrayList<>(List.of(keyless(0)));
        withNull.add(null);
        assertThatThrownBy(() -> transport.publish("t", EncodedEvent.all(withNull))).isInstanceOf(NullPointerException.class);
        assertThat(transport.stats("s").backlog()).isZero();
        List<CloudEvent> many = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            many.add(keyless(i));
        }
        for (CloudEvent event : many) {
            transport.publish("t", EncodedEvent.all(List.of(event)));
        }
        try (Consumer consumer = transport.openConsumer("s")) {
            List<Delivery> all = pollAtLeast(consumer, 200);
            for (int i = 1; i < all.size(); i++) {
                assertThat(all.get(i).publishedAt()).isAfterOrEqualTo(all.get(i - 1).publishedAt());
            }
        }
    }

    @Test
    void argumentsBeyondTheConformanceKitsAreChecked() {
        transport.createSubscription(SubscriptionSpec.of("s", "t"));
        assertThatThrownBy(() -> transport.publish(" ", List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> transport.seek("missing", StartPosition.EARLIEST))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> transport.deadLetters("s", null, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    private static List<Delivery> pollAtLeast(Consumer consumer, int count) throws InterruptedException {
        List<Delivery> all = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (all.size() < count && System.nanoTime() < deadline) {
            all.addAll(consumer.poll(count - all.size(), Duration.ofMillis(100)));
        }
        assertThat(all).hasSize(count);
        return all;
    }

    private static EventBuilder base(int seq) {
        return EventBuilder.create().type("test.memory").source("urn:test").data(Map.of("seq", seq));
    }

    private static CloudEvent keyed(String key, int seq) {
        return base(seq).partitionKey(key).build();
    }

    private static CloudEvent keyless(int seq) {
        return base(seq).build();
    }

    private static int seq(Delivery delivery) {
        return dev.herald.event.EventData.json(delivery.event()).orElseThrow().get("seq").asInt();
    }

    private static List<Integer> seqs(List<Delivery> deliveries) {
        return deliveries.stream().map(InMemoryTransportTest::seq).toList();
    }
}
