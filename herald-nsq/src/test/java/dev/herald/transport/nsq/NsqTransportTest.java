package dev.herald.transport.nsq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.tck.TestEvents;
import dev.herald.transport.Consumer;
import dev.herald.transport.Delivery;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.SubscriptionSpec;
import dev.herald.transport.SubscriptionStats;
import io.cloudevents.CloudEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The protocol duties the conformance kit does not reach: heartbeats, TOUCH before the message timeout, delivery
 * delays longer than a message may stay in flight (DPUB), MPUBs split under nsqd's body limit.
 */
class NsqTransportTest {

    @TempDir
    static Path state;
    private static NsqProtocolDouble nsqd;

    @BeforeAll
    static void startDouble() throws Exception {
        nsqd = NsqProtocolDouble.start();
    }

    @AfterAll
    static void stopDouble() {
        nsqd.close();
    }

    @Test
    void heartbeatsAreAnsweredSoAnIdleConsumerKeepsItsConnection() throws Exception {
        try (NsqTransport transport = NsqTransport.open(nsqd.options(state).withHeartbeatInterval(Duration.ofSeconds(1)))) {
            SubscriptionSpec spec = subscribe(transport);
            try (Consumer consumer = transport.openConsumer(spec.name())) {
                assertThat(consumer.poll(1, Duration.ofMillis(300))).isEmpty();
                int connections = nsqd.connectionsAccepted();
                // Three heartbeat periods idle: without NOP answers the double closes the connections after two.
                Thread.sleep(3_200);
                assertThat(nsqd.connectionsAccepted()).as("no reconnection while idle").isEqualTo(connections);
                CloudEvent event = TestEvents.probe(run(), 0);
                transport.publish(spec.topic(), EncodedEvent.all(List.of(event)));
                Delivery delivery = pollOne(consumer);
                assertThat(delivery.event().getId()).isEqualTo(event.getId());
                delivery.ack();
            }
        }
    }

    @Test
    void aDeliveryHeldPastTheMessageTimeoutIsTouchedNotRedelivered() throws Exception {
        try (NsqTransport transport = NsqTransport.open(nsqd.options(state).withMessageTimeout(Duration.ofSeconds(1)))) {
            SubscriptionSpec spec = subscribe(transport);
            transport.publish(spec.topic(), EncodedEvent.all(List.of(TestEvents.probe(run(), 0))));
            try (Consumer holder = transport.openConsumer(spec.name())) {
                Delivery held = pollOne(holder);
                Consumer other = transport.openConsumer(spec.name());
                int sent = nsqd.messagesSent();
                assertThat(other.poll(1, Duration.ofMillis(2_500))).as("redelivered after the message timeout").isEmpty();
                assertThat(nsqd.messagesSent()).isEqualTo(sent);
                held.ack();
                await().atMost(Duration.ofSeconds(10)).until(() -> transport.stats(spec.name()).equals(new SubscriptionStats(0, 0, 0)));
                other.close();
            }
        }
    }

    @Test
    void aDeliveryDelayLongerThanHalfTheMessageTimeoutIsDeferredWithDpub() throws Exception {
        Duration delay = Duration.ofMillis(1_200);
        try (NsqTransport transport = NsqTransport.open(nsqd.options(state).withMessageTimeout(Duration.ofSeconds(1)))) {
            String topic = "t-" + run();
            SubscriptionSpec spec = SubscriptionSpec.of("s-" + run(), topic).withDeliveryDelay(delay);
            transport.createSubscription(spec);
            CloudEvent event = TestEvents.probe(run(), 0);
            try (Consumer consumer = transport.openConsumer(spec.name())) {
                long published = System.nanoTime();
                transport.publish(topic, EncodedEvent.all(List.of(event)));
                Delivery delivery = pollOne(consumer);
                assertThat(Duration.ofNanos(System.nanoTime() - published)).isGreaterThanOrEqualTo(delay.minusMillis(15));
                assertThat(delivery.event().getId()).isEqualTo(event.getId());
                assertThat(delivery.attempt()).as("the deferral is no attempt").isEqualTo(1);
                delivery.ack();
            }
        }
    }

    @Test
    void aPublishLargerThanNsqdsBodyLimitIsSplitIntoSeveralMpubs() throws Exception {
        try (NsqTransport transport = NsqTransport.open(nsqd.options(state))) {
            SubscriptionSpec spec = subscribe(transport);
            String run = run();
            // 12 events of 700 KB: 8.4 MB, above nsqd's 5 MiB --max-body-size for one MPUB.
            List<CloudEvent> events = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                events.add(TestEvents.ofStructuredSize(run, i, 700_000));
            }
            transport.publish(spec.topic(), EncodedEvent.all(events));
            try (Consumer consumer = transport.openConsumer(spec.name())) {
                List<String> received = new ArrayList<>();
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    for (Delivery delivery : consumer.poll(12, Duration.ofMillis(200))) {
                        received.add(delivery.event().getId());
                        delivery.ack();
                    }
                    return received.size() >= events.size();
                });
                assertThat(received).containsExactlyInAnyOrderElementsOf(TestEvents.ids(events));
            }
        }
    }

    @Test
    void messagesThatAreNoCloudEventsAreFinishedNotRedeliveredForever() throws Exception {
        try (NsqTransport transport = NsqTransport.open(nsqd.options(state));
             Publisher raw = new Publisher(nsqd.options(state), "foreign")) {
            SubscriptionSpec spec = subscribe(transport);
            String privateTopic = NsqTransport.privateTopic(transport.state().subscription(spec.name()).orElseThrow());
            raw.publish(spec.topic(), List.of("not an event".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            raw.publish(privateTopic, List.of(new byte[] {1, 2, 3}));
            CloudEvent event = TestEvents.probe(run(), 0);
            transport.publish(spec.topic(), EncodedEvent.all(List.of(event)));
            try (Consumer consumer = transport.openConsumer(spec.name())) {
                Delivery delivery = pollOne(consumer);
                assertThat(delivery.event().getId()).isEqualTo(event.getId());
                delivery.ack();
                await().atMost(Duration.ofSeconds(10)).until(() -> transport.stats(spec.name()).equals(new SubscriptionStats(0, 0, 0)));
                assertThat(consumer.poll(1, Duration.ofMillis(300))).isEmpty();
            }
        }
    }

    @Test
    void lookupdNamesTheNsqdOfATopic() {
        NsqHttp http = new NsqHttp(nsqd.options(state).withLookupd(List.of(nsqd.httpAddress())));
        String topic = "t-" + run();
        assertThat(http.lookup(topic)).as("unknown topic").isEmpty();
        http.createChannel(topic, "c");
        assertThat(http.lookup(topic)).containsExactly(nsqd.tcpAddress());
        assertThat(http.nsqdAddresses(topic)).containsExactly(nsqd.tcpAddress());
    }

    private static SubscriptionSpec subscribe(NsqTransport transport) {
        SubscriptionSpec spec = SubscriptionSpec.of("s-" + run(), "t-" + run());
        transport.createSubscription(spec);
        return spec;
    }

    private static Delivery pollOne(Consumer consumer) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            List<Delivery> got = consumer.poll(1, Duration.ofMillis(200));
            if (!got.isEmpty()) {
                return got.get(0);
            }
        }
        throw new AssertionError("no delivery within 20 s");
    }

    private static String run() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
