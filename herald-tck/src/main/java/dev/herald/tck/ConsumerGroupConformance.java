package dev.herald.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.transport.Capability;
import dev.herald.transport.SubscriptionSpec;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Capability {@link Capability#CONSUMER_GROUPS}: competing consumers share one subscription's work. */
public interface ConsumerGroupConformance extends ConformanceContext {

    @Test
    @DisplayName("Consumer groups: competing consumers share the work, no event handled by two at once")
    default void competingConsumersShareTheWork() throws Exception {
        assumeCapability(Capability.CONSUMER_GROUPS);
        String topic = fresh("topic");
        SubscriptionSpec spec = subscribe(topic);
        DeliveryLog log = new DeliveryLog();
        Map<String, String> handling = new ConcurrentHashMap<>();
        Set<String> overlaps = ConcurrentHashMap.newKeySet();
        List<Collector> consumers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Collector collector = collect(spec.name(), d -> {
                String id = d.event().getId();
                String other = handling.putIfAbsent(id, Thread.currentThread().getName());
                if (other != null) {
                    overlaps.add(id + " handled by " + other + " and " + Thread.currentThread().getName());
                }
                Thread.sleep(2);
                handling.remove(id, Thread.currentThread().getName());
                return Outcome.ack();
            }, log, 5);
            consumers.add(collector);
        }
        String run = fresh("run");
        List<CloudEvent> events = new ArrayList<>(TestEvents.probes(run, scaled(150)));
        for (int i = 0; i < events.size(); i += 10) {
            publish(topic, events.subList(i, Math.min(i + 10, events.size())));
        }
        // A consumer may join its group a little after consume() returns, when the others have taken everything:
        // publish further rounds until each one got work.
        await().pollInterval(Duration.ofMillis(500)).until(() -> {
            if (consumers.stream().allMatch(consumer -> handledBy(log, consumer) > 0)) {
                return true;
            }
            List<CloudEvent> round = TestEvents.probes(run, events.size(), 10);
            publish(topic, round);
            events.addAll(round);
            return false;
        });
        awaitAcked(log, ids(events));
        quietPeriod();
        assertThat(overlaps).as("events handled by two consumers at once").isEmpty();
        for (Collector consumer : consumers) {
            long handled = handledBy(log, consumer);
            report("share of " + consumer.label(), handled + " of " + events.size());
            assertThat(handled).as("events handled by %s", consumer.label()).isPositive().isLessThan(events.size());
        }
        assertReceivedExactly(log, ids(events), true);
    }

    @Test
    @DisplayName("Consumer groups: a consumer leaving mid-stream hands its unsettled work to the others")
    default void consumerLeavingHandsOverItsWork() throws Exception {
        assumeCapability(Capability.CONSUMER_GROUPS);
        String topic = fresh("topic");
        SubscriptionSpec spec = subscribe(topic);
        DeliveryLog log = new DeliveryLog();
        Collector stays = collect(spec.name(), d -> {
            Thread.sleep(1);
            return Outcome.ack();
        }, log, 5);
        Collector leaves = collect(spec.name(), d -> Outcome.leave(), log, 5);
        // A consumer may join its group a little after consume() returns (a Kafka rebalance, an NSQ SUB in flight),
        // and the one already in can take a whole batch meanwhile: publish in rounds until the leaver got work.
        List<CloudEvent> events = new ArrayList<>();
        String run = fresh("run");
        await().pollInterval(Duration.ofMillis(500)).until(() -> {
            if (log.count(DeliveryLog.Kind.LEFT) > 0) {
                return true;
            }
            List<CloudEvent> round = TestEvents.probes(run, events.size(), scaled(20));
            publish(topic, round);
            events.addAll(round);
            return false;
        });
        leaves.close();
        awaitAcked(log, ids(events));
        quietPeriod();
        assertThat(stays.isRunning()).isTrue();
        assertReceivedExactly(log, ids(events), true);
    }

    private static long handledBy(DeliveryLog log, Collector consumer) {
        return log.entries().stream()
                .filter(e -> e.kind() == DeliveryLog.Kind.ACKED && e.consumer().equals(consumer.label())).count();
    }
}
