package dev.herald.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.tck.Collector;
import dev.herald.tck.DeliveryLog;
import dev.herald.tck.Outcome;
import dev.herald.tck.TestEvents;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionSpec;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two transports stand for two processes: two members of one subscription's consumer group. The
 * kit runs everything in one process (one member per subscription), so rebalances between members
 * are checked here.
 */
@ExtendWith(KafkaBroker.class)
@Order(2)
class GroupMembersTest {

    @Test
    void membersSharePartitionsAndAMemberLeavingLosesNothingAndKeepsKeyOrder() throws Exception {
        String run = "members-" + UUID.randomUUID().toString().substring(0, 8);
        String topic = run + "-topic";
        SubscriptionSpec spec = SubscriptionSpec.of(run + "-sub", topic).withStart(StartPosition.EARLIEST)
                .withOrdering(true);
        List<CloudEvent> events = new ArrayList<>();
        for (int seq = 0; seq < 600; seq++) {
            events.add(TestEvents.keyed(run, "key" + seq % 24, seq));
        }
        try (KafkaTransport first = KafkaTransport.open(KafkaBroker.options().build());
             KafkaTransport second = KafkaTransport.open(KafkaBroker.options().build())) {
            first.createSubscription(spec);
            first.publish(topic, EncodedEvent.all(events));
            DeliveryLog log = new DeliveryLog();
            Collector.Handler slow = d -> {
                Thread.sleep(2);
                return Outcome.ack();
            };
            Collector one = Collector.start(first, spec.name(), "first", slow, log, 5);
            await().atMost(Duration.ofSeconds(30)).until(() -> log.ackedCount() >= 50);
            try (Collector two = Collector.start(second, spec.name(), "second", slow, log, 5)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> acksBy(log, "second") >= 50);
                one.close();
                await().atMost(Duration.ofSeconds(60)).until(() -> log.ackedCount() == events.size());
                assertThat(two.isRunning()).isTrue();
            }
            assertThat(acksBy(log, "first")).as("acks by the member that left").isPositive();
            assertThat(log.missingAcked(TestEvents.ids(events))).isEmpty();
            assertThat(log.unexpected(new LinkedHashSet<>(TestEvents.ids(events)))).isEmpty();
            System.out.println("[herald-kafka] two members, one leaving: " + log.duplicateAcks()
                    + " duplicate deliveries of " + events.size() + " (in flight at the rebalances)");
            assertThat(firstAcksInPublishOrder(log)).as("per key, first acknowledgements in publish order").isTrue();
            first.deleteSubscription(spec.name());
        }
    }

    @Test
    void aDeletedSubscriptionTakesItsPositionAndDeadLettersAlongAndItsNameCanBeReused() throws Exception {
        String run = "reuse-" + UUID.randomUUID().toString().substring(0, 8);
        String topic = run + "-topic";
        SubscriptionSpec spec = SubscriptionSpec.of(run + "-sub", topic).withStart(StartPosition.EARLIEST);
        try (KafkaTransport transport = KafkaTransport.open(KafkaBroker.options().build())) {
            transport.createSubscription(spec);
            List<CloudEvent> events = TestEvents.probes(run, 5);
            transport.publish(topic, EncodedEvent.all(events));
            DeliveryLog log = new DeliveryLog();
            try (Collector collector = Collector.start(transport, spec.name(), "dead", d -> Outcome.deadLetter("no"), log, 5)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> transport.deadLetters(spec.name(), null, 10).size() == 5);
                assertThat(collector.isRunning()).isTrue();
            }
            transport.deleteSubscription(spec.name());
            assertThat(transport.subscription(spec.name())).isEmpty();

            transport.createSubscription(spec);
            assertThat(transport.deadLetters(spec.name(), null, 10)).as("dead letters of the deleted one").isEmpty();
            DeliveryLog again = new DeliveryLog();
            try (Collector collector = Collector.start(transport, spec.name(), "again", Collector.Handler.ACK, again, 5)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> again.ackedCount() == events.size());
                assertThat(collector.isRunning()).isTrue();
            }
            transport.deleteSubscription(spec.name());
        }
    }

    private static long acksBy(DeliveryLog log, String consumer) {
        return log.entries().stream()
                .filter(e -> e.kind() == DeliveryLog.Kind.ACKED && e.consumer().equals(consumer)).count();
    }

    private static boolean firstAcksInPublishOrder(DeliveryLog log) {
        Map<String, Integer> last = new HashMap<>();
        LinkedHashSet<String> seen = new LinkedHashSet<>();
        for (DeliveryLog.Entry entry : log.entries()) {
            if (entry.kind() != DeliveryLog.Kind.ACKED || !seen.add(entry.id())) {
                continue;
            }
            int seq = TestEvents.seq(entry.event());
            Integer previous = last.put(entry.key(), seq);
            if (previous != null && previous > seq) {
                return false;
            }
        }
        return true;
    }
}
