package dev.herald.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.event.HeraldAttributes;
import dev.herald.transport.Capability;
import dev.herald.transport.SubscriptionSpec;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Capability {@link Capability#ORDERING}: per-key publish order, a failure holding back only its own key. */
public interface OrderingConformance extends ConformanceContext {

    @Test
    @DisplayName("Ordering: 16 interleaved keys, 10 consumers, retries; each key is delivered in publish order")
    default void perKeyOrderWithConcurrentConsumersAndRetries() throws Exception {
        assumeCapability(Capability.ORDERING);
        String topic = fresh("topic");
        SubscriptionSpec spec = subscribe(SubscriptionSpec.of(fresh("sub"), topic).withOrdering(true));
        DeliveryLog log = new DeliveryLog();
        for (int i = 0; i < 10; i++) {
            collect(spec.name(), d -> {
                int seq = TestEvents.seq(d.event());
                // Some events fail once, some twice: retries must not let later events of the key overtake.
                boolean fails = seq % 7 == 3 && d.attempt() == 1 || seq % 11 == 5 && d.attempt() <= 2;
                return fails ? Outcome.nack(Duration.ofMillis(10)) : Outcome.ack();
            }, log);
        }
        int keys = 16;
        int perKey = scaled(25);
        String run = fresh("run");
        Map<String, List<String>> order = new LinkedHashMap<>();
        List<CloudEvent> all = new ArrayList<>();
        for (int round = 0, seq = 0; round < perKey; round++) {
            List<CloudEvent> batch = new ArrayList<>();
            for (int k = 0; k < keys; k++) {
                String key = run + "-key" + k;
                CloudEvent event = TestEvents.keyed(run, key, seq++);
                order.computeIfAbsent(key, x -> new ArrayList<>()).add(event.getId());
                batch.add(event);
            }
            // Batches of varying size: order must hold within a call and across calls.
            publish(topic, batch.subList(0, 5));
            publish(topic, batch.subList(5, keys));
            all.addAll(batch);
        }
        awaitAcked(log, ids(all));
        quietPeriod();
        assertThat(OrderingCheck.violations(log, order)).as("ordering violations").isEmpty();
        assertReceivedExactly(log, ids(all), false);
    }

    @Test
    @DisplayName("Ordering: a failing event holds back its own key and no other")
    default void failureHoldsBackOnlyItsOwnKey() throws Exception {
        assumeCapability(Capability.ORDERING);
        String topic = fresh("topic");
        SubscriptionSpec spec = subscribe(SubscriptionSpec.of(fresh("sub"), topic).withOrdering(true));
        String run = fresh("run");
        String blocked = run + "-blocked";
        Map<String, List<String>> order = new LinkedHashMap<>();
        List<CloudEvent> all = new ArrayList<>();
        int seq = 0;
        for (int i = 0; i < 10; i++) {
            for (String key : List.of(blocked, run + "-a", run + "-b", run + "-c")) {
                CloudEvent event = TestEvents.keyed(run, key, seq++);
                order.computeIfAbsent(key, x -> new ArrayList<>()).add(event.getId());
                all.add(event);
            }
        }
        String head = order.get(blocked).get(0);
        DeliveryLog log = new DeliveryLog();
        for (int i = 0; i < 3; i++) {
            collect(spec.name(), d -> d.event().getId().equals(head) && d.attempt() == 1
                    ? Outcome.nack(Duration.ofMillis(1500)) : Outcome.ack(), log);
        }
        publish(topic, all);
        awaitAcked(log, ids(all));
        quietPeriod();

        long headRetried = log.entries(head).stream()
                .filter(e -> e.kind() == DeliveryLog.Kind.DELIVERED && e.attempt() == 2)
                .mapToLong(DeliveryLog.Entry::seq).findFirst().orElseThrow();
        List<String> others = all.stream().filter(e -> !blocked.equals(HeraldAttributes.partitionKey(e).orElse(null)))
                .map(CloudEvent::getId).toList();
        for (String id : others) {
            long acked = log.entries(id).stream().filter(e -> e.kind() == DeliveryLog.Kind.ACKED)
                    .mapToLong(DeliveryLog.Entry::seq).findFirst().orElseThrow();
            assertThat(acked).as("%s of another key handled before the failed event's retry", id)
                    .isLessThan(headRetried);
        }
        assertThat(OrderingCheck.violations(log, order)).as("ordering violations").isEmpty();
        assertReceivedExactly(log, ids(all), false);
    }
}
