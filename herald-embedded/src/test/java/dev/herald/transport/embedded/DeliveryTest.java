package dev.herald.transport.embedded;

import static dev.herald.transport.embedded.Fixtures.drain;
import static dev.herald.transport.embedded.Fixtures.event;
import static dev.herald.transport.embedded.Fixtures.events;
import static dev.herald.transport.embedded.Fixtures.ids;
import static dev.herald.transport.embedded.Fixtures.keyed;
import static dev.herald.transport.embedded.Fixtures.pollUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.transport.Consumer;
import dev.herald.transport.DeadLetter;
import dev.herald.transport.Delivery;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionSpec;
import dev.herald.transport.SubscriptionStats;
import io.cloudevents.CloudEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeliveryTest {

    private static final Duration SHORT = Duration.ofMillis(100);

    @TempDir
    Path dir;

    private EmbeddedTransport transport;

    @BeforeEach
    void open() {
        transport = EmbeddedTransport.open(dir.resolve("herald.db"),
                EmbeddedOptions.defaults().withAckDeadline(Duration.ofMillis(400)));
    }

    @AfterEach
    void close() {
        transport.close();
    }

    @Test
    void eventsComeBackExactlyAsPublished() throws Exception {
        CloudEvent full = dev.herald.event.EventBuilder.create().type("vulnerabilities.new_finding")
                .source("https://gitlab.example.com/group/app").subject("gid://gitlab/Vulnerability/541")
                .project("gid://gitlab/Project/392359").authType("app_user").authId("gid://gitlab/User/123")
                .correlationId("req-1").causationId("evt-0")
                .traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                .tracestate("vendor=1").data(java.util.Map.of("vulnerability_id", 541, "nested", List.of(1, 2)))
                .build();
        transport.createSubscription(SubscriptionSpec.of("s", "t").withStart(StartPosition.EARLIEST));
        Instant before = Instant.now();
        transport.publish("t", EncodedEvent.all(List.of(full)));

        try (Consumer consumer = transport.openConsumer("s")) {
            Delivery delivery = pollUntil(consumer, 1, Duration.ofSeconds(5)).getFirst();
            assertThat(delivery.event()).isEqualTo(full);
            assertThat(delivery.event().getData().toBytes()).isEqualTo(full.getData().toBytes());
            assertThat(delivery.subscription()).isEqualTo("s");
            assertThat(delivery.attempt()).isEqualTo(1);
            assertThat(delivery.publishedAt()).isBetween(before, Instant.now());
            delivery.ack();
        }
        assertThat(transport.stats("s")).isEqualTo(new SubscriptionStats(0, 0, 0));
    }

    @Test
    void aWaitingPollWakesOnPublish() throws Exception {
        transport.createSubscription(SubscriptionSpec.of("s", "t"));
        try (Consumer consumer = transport.openConsumer("s")) {
            CompletableFuture<List<Delivery>> poll = CompletableFuture.supplyAsync(() -> {
                try {
                    return consumer.poll(10, Duration.ofSeconds(10));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(200);
            long published = System.nanoTime();
            transport.publish("t", EncodedEvent.all(List.of(event("wake"))));
            assertThat(ids(poll.get())).containsExactly("wake");
            assertThat(Duration.ofNanos(System.nanoTime() - published)).isLessThan(Duration.ofSeconds(1));
        }
    }

    @Test
    void orderedSubscriptionHandsOutOnlyTheHeadOfEachKey() throws Exception {
        transport.createSubscription(new SubscriptionSpec("s", "t", StartPosition.EARLIEST, true, Duration.ZERO));
        transport.publish("t", EncodedEvent.all(List.of(keyed("a1", "a"), keyed("a2", "a"), keyed("b1", "b"), keyed("a3", "a"),
                keyed("b2", "b"), event("unkeyed"))));
        try (Consumer consumer = transport.openConsumer("s")) {
            List<Delivery> first = consumer.poll(10, SHORT);
            assertThat(ids(first)).containsExactly("a1", "b1", "unkeyed");

            first.get(0).nack(Duration.ZERO);
            first.get(1).ack();
            first.get(2).ack();
            List<Delivery> second = pollUntil(consumer, 2, Duration.ofSeconds(2));
            assertThat(ids(second)).containsExactlyInAnyOrder("a1", "b2");
            assertThat(second).filteredOn(d -> d.event().getId().equals("a1"))
                    .singleElement().extracting(Delivery::attempt).isEqualTo(2);

            second.forEach(Delivery::ack);
            assertThat(drain(consumer, SHORT)).containsExactly("a2", "a3");
        }
    }

    @Test
    void aFailingKeyHoldsBackOnlyItself() throws Exception {
        transport.createSubscription(new SubscriptionSpec("s", "t", StartPosition.EARLIEST, true, Duration.ZERO));
        transport.publish("t", EncodedEvent.all(List.of(keyed("a1", "a"), keyed("a2", "a"), keyed("b1", "b"), keyed("b2", "b"))));
        try (Consumer consumer = transport.openConsumer("s")) {
            List<Delivery> first = consumer.poll(10, SHORT);
            assertThat(ids(first)).containsExactly("a1", "b1");
            first.get(0).nack(Duration.ofSeconds(30));
            first.get(1).ack();
            assertThat(drain(consumer, Duration.ofMillis(300))).containsExactly("b2");
            assertThat(transport.stats("s").backlog()).isEqualTo(2);
        }
    }

    @Test
    void nackedDeliveriesReturnAfterTheirDelay() throws Exception {
        transport.createSubscription(SubscriptionSpec.of("s", "t").withStart(StartPosition.EARLIEST));
        transport.publish("t", EncodedEvent.all(List.of(event("retry"))));
        try (Consumer consumer = transport.openConsumer("s")) {
            Delivery first = consumer.poll(1, SHORT).getFirst();
            long nacked = System.nanoTime();
            first.nack(Duration.ofMillis(300));

            Delivery again = consumer.poll(1, Duration.ofSeconds(5)).getFirst();
            assertThat(Duration.ofNanos(System.nanoTime() - nacked)).isGreaterThanOrEqualTo(Duration.ofMillis(290));
            assertThat(again.attempt()).isEqualTo(2);
            again.ack();
        }
    }

    @Test
    void deliveryDelayHoldsEventsBackFromTheirPublishTime() throws Exception {
        transport.createSubscription(SubscriptionSpec.of("s", "t").withDeliveryDelay(Duration.ofMillis(400)));
        transport.publish("t", EncodedEvent.all(List.of(event("later"))));
        try (Consumer consumer = transport.openConsumer("s")) {
            Delivery delivery = consumer.poll(1, Duration.ofSeconds(5)).getFirst();
            assertThat(Duration.between(delivery.publishedAt(), Instant.now()))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(400));
            delivery.ack();
        }
    }

    @Test
    void closingAConsumerReleasesItsLeasesAtOnce() throws Exception {
        transport.createSubscription(SubscriptionSpec.of("s", "t").withStart(StartPosition.EARLIEST));
        transport.publish("t", EncodedEvent.all(events("e", 5)));
        Consumer first = transport.openConsumer("s");
        List<Delivery> leased = first.poll(5, SHORT);
        assertThat(leased).hasSize(5);
        assertThat(transport.stats("s").inFlight()).isEqualTo(5);
        first.close();
        assertThatThrownBy(() -> first.poll(1, SHORT)).isInstanceOf(IllegalStateException.class);

        leased.getFirst().ack();
        try (Consumer second = transport.openConsumer("s")) {
            List<Delivery> again = second.poll(10, SHORT);
            assertThat(ids(again)).containsExactly("e-0", "e-1", "e-2", "e-3", "e-4");
            assertThat(again).allSatisfy(d -> assertThat(d.attempt()).isEqualTo(2));
            again.forEach(Delivery::ack);
        }
    }

    @Test
    void closeWakesAWaitingPollWhichReturnsNothing() throws Exception {
        transport.createSubscription(SubscriptionSpec.of("s", "t"));
        Consumer consumer = transport.openConsumer("s");
        CompletableFuture<List<Delivery>> poll = CompletableFuture.supplyAsync(() -> {
            try {
                return consumer.poll(10, Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        consumer.close();
        assertThat(poll.get(2, java.util.concurrent.TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void anExpiredLeaseIsHandedOutAgainAndTheLateAckIsIgnored() throws Exception {
        transport.createSubscription(SubscriptionSpec.of("s", "t").withStart(StartPosition.EARLIEST));
        transport.publish("t", EncodedEvent.all(List.of(event("slow"))));
        try (Consumer stuck = transport.openConsumer("s"); Consumer healthy = transport.openConsumer("s")) {
            Delivery first = stuck.poll(1, SHORT).getFirst();
            Delivery second = healthy.poll(1, Duration.ofSeconds(5)).getFirst();
            assertThat(second.event().getId()).isEqualTo("slow");
            assertThat(second.attempt()).isEqualTo(2);

            first.ack();
            assertThat(transport.stats("s").backlog()).as("the stale lease's ack is ignored").isEqualTo(1);
            second.ack();
            assertThat(transport.stats("s").backlog()).isZero();
        }
    }

    @Test
    void deadLettersCanBeListedRedrivenAndDiscarded() throws Exception {
        transport.createSubscription(SubscriptionSpec.of("s", "t").withStart(StartPosition.EARLIEST));
        transport.publish("t", EncodedEvent.all(List.of(event("poison"), event("fine"), event("junk"))));
        try (Consumer consumer = transport.openConsumer("s")) {
            List<Delivery> deliveries = consumer.poll(3, SHORT);
            deliveries.get(0).deadLetter("boom");
            deliveries.get(1).ack();
            deliveries.get(2).deadLetter("junk");

            List<DeadLetter> letters = transport.deadLetters("s", null, 10);
            assertThat(letters).extracting(l -> l.event().getId()).containsExactly("poison", "junk");
            DeadLetter poison = letters.getFirst();
            assertThat(poison.lastError()).isEqualTo("boom");
            assertThat(poison.attempts()).isEqualTo(1);
            assertThat(poison.event()).isEqualTo(deliveries.get(0).event());
            assertThat(transport.deadLetters("s", poison.id(), 10)).extracting(DeadLetter::id)
                    .containsExactly(letters.get(1).id());
            assertThat(transport.stats("s")).isEqualTo(new SubscriptionStats(0, 0, 2));

            assertThat(transport.redrive("s", List.of(poison.id(), "no-such-id"))).isEqualTo(1);
            Delivery redriven = consumer.poll(1, Duration.ofSeconds(2)).getFirst();
            assertThat(redriven.event().getId()).isEqualTo("poison");
            assertThat(redriven.attempt()).isEqualTo(1);
            redriven.ack();

            assertThat(transport.discard("s", List.of(letters.get(1).id()))).isEqualTo(1);
            assertThat(transport.stats("s")).isEqualTo(new SubscriptionStats(0, 0, 0));
        }
    }

    @Test
    void replayFromATimestampAndSeek() throws Exception {
        transport.publish("t", EncodedEvent.all(events("old", 3)));
        Instant boundary = Instant.now();
        transport.publish("t", EncodedEvent.all(events("new", 2)));
        transport.createSubscription(SubscriptionSpec.of("from-time", "t").withStart(StartPosition.at(boundary)));
        transport.createSubscription(SubscriptionSpec.of("latest", "t"));
        try (Consumer fromTime = transport.openConsumer("from-time"); Consumer latest = transport.openConsumer("latest")) {
            assertThat(drain(fromTime, SHORT)).containsExactly("new-0", "new-1");
            assertThat(drain(latest, SHORT)).isEmpty();

            transport.seek("latest", StartPosition.EARLIEST);
            assertThat(drain(latest, SHORT)).containsExactly("old-0", "old-1", "old-2", "new-0", "new-1");
        }
    }

    @Test
    void subscriptionsAreIsolatedByTopicAndFanOut() throws Exception {
        transport.createSubscription(SubscriptionSpec.of("a1", "a").withStart(StartPosition.EARLIEST));
        transport.createSubscription(SubscriptionSpec.of("a2", "a").withStart(StartPosition.EARLIEST));
        transport.createSubscription(SubscriptionSpec.of("b", "b").withStart(StartPosition.EARLIEST));
        transport.publish("a", EncodedEvent.all(events("a", 3)));
        transport.publish("b", EncodedEvent.all(events("b", 2)));
        try (Consumer a1 = transport.openConsumer("a1"); Consumer a2 = transport.openConsumer("a2");
             Consumer b = transport.openConsumer("b")) {
            assertThat(drain(a1, SHORT)).containsExactly("a-0", "a-1", "a-2");
            assertThat(drain(a2, SHORT)).containsExactly("a-0", "a-1", "a-2");
            assertThat(drain(b, SHORT)).containsExactly("b-0", "b-1");
        }
    }

    @Test
    void theBufferIsBoundedAndRefillsAsDeliveriesSettle() throws Exception {
        transport.close();
        transport = EmbeddedTransport.open(dir.resolve("bounded.db"),
                EmbeddedOptions.defaults().withMaxBufferedPerSubscription(4));
        transport.createSubscription(SubscriptionSpec.of("s", "t").withStart(StartPosition.EARLIEST));
        transport.publish("t", EncodedEvent.all(events("e", 10)));
        try (Consumer consumer = transport.openConsumer("s")) {
            List<Delivery> first = consumer.poll(10, SHORT);
            assertThat(first).hasSize(4);
            assertThat(consumer.poll(10, SHORT)).as("the buffer is full of leased deliveries").isEmpty();
            first.forEach(Delivery::ack);
            assertThat(drain(consumer, SHORT)).hasSize(6);
        }
    }

    @Test
    void subscriptionDefinitionsCanBeUpdatedButNotMovedToAnotherTopic() {
        transport.createSubscription(SubscriptionSpec.of("s", "t"));
        transport.createSubscription(SubscriptionSpec.of("s", "t").withOrdering(true)
                .withDeliveryDelay(Duration.ofSeconds(1)));
        assertThat(transport.subscription("s")).contains(
                new SubscriptionSpec("s", "t", StartPosition.LATEST, true, Duration.ofSeconds(1)));
        assertThatThrownBy(() -> transport.createSubscription(SubscriptionSpec.of("s", "other")))
                .isInstanceOf(IllegalArgumentException.class);
        transport.deleteSubscription("s");
        transport.deleteSubscription("s");
        assertThat(transport.subscription("s")).isEmpty();
        assertThatThrownBy(() -> transport.openConsumer("s")).isInstanceOf(IllegalArgumentException.class);
    }
}
