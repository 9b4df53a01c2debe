package dev.herald.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.transport.Capability;
import dev.herald.transport.Consumer;
import dev.herald.transport.DeadLetter;
import dev.herald.transport.Delivery;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.SubscriptionSpec;
import dev.herald.transport.Transport;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Capability {@link Capability#DURABLE}: the transport is stopped in the middle of publishing and
 * consuming and opened again through the {@link TransportFactory}; nothing whose publish returned
 * is lost, and subscriptions resume where they stopped.
 */
public interface DurabilityConformance extends ConformanceContext {

    @Test
    @DisplayName("Durability: stopped mid-publish and restarted, every event whose publish returned is received")
    default void publishesThatReturnedSurviveARestart() throws Exception {
        assumeCapability(Capability.DURABLE);
        String topic = fresh("topic");
        SubscriptionSpec spec = subscribe(topic);
        DeliveryLog beforeRestart = collect(spec.name()).log();
        Transport publisher = transport();
        String run = fresh("run");
        Set<String> attempted = ConcurrentHashMap.newKeySet();
        Set<String> confirmed = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> publishers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            publishers.add(Thread.ofVirtual().start(() -> {
                for (int seq = 0; !stop.get(); ) {
                    List<CloudEvent> batch = TestEvents.probes(run + "-" + thread, seq, 1 + seq % 4);
                    seq += batch.size();
                    attempted.addAll(ids(batch));
                    try {
                        publisher.publish(topic, EncodedEvent.all(batch));
                    } catch (RuntimeException e) {
                        return;
                    }
                    confirmed.addAll(ids(batch));
                }
            }));
        }
        int target = scaled(300);
        await().until(() -> confirmed.size() >= target);
        stopTransport();
        Thread.sleep(100);
        stop.set(true);
        for (Thread thread : publishers) {
            assertThat(thread.join(timeout())).isTrue();
        }
        Set<String> returned = Set.copyOf(confirmed);

        reopen();
        List<CloudEvent> afterRestart = TestEvents.probes(run + "-after", scaled(20));
        publish(topic, afterRestart);
        DeliveryLog log = collect(spec.name()).log();
        Set<String> expected = new HashSet<>(returned);
        expected.removeAll(beforeRestart.ackedIds());
        expected.addAll(ids(afterRestart));
        awaitAcked(log, expected);
        quietPeriod();
        Set<String> known = new HashSet<>(attempted);
        known.addAll(ids(afterRestart));
        assertThat(log.unexpected(known)).as("delivered events that were never published").isEmpty();
        long repeated = log.deliveredIds().stream().filter(beforeRestart.ackedIds()::contains).count();
        report("restart", returned.size() + " publishes returned before the stop, "
                + beforeRestart.ackedCount() + " acked before it, " + repeated + " of those delivered again after it");
    }

    @Test
    @DisplayName("Durability: subscription definition, position and dead letters survive a restart")
    default void subscriptionStateSurvivesARestart() throws Exception {
        assumeCapability(Capability.DURABLE);
        String topic = fresh("topic");
        SubscriptionSpec spec = subscribe(SubscriptionSpec.of(fresh("sub"), topic)
                .withOrdering(declares(Capability.ORDERING)).withDeliveryDelay(Duration.ofMillis(1)));
        List<CloudEvent> events = TestEvents.probes(fresh("run"), scaled(20));
        publish(topic, events);

        Consumer consumer = transport().openConsumer(spec.name());
        List<Delivery> got = new ArrayList<>();
        int part = events.size() / 2;
        await().until(() -> {
            got.addAll(consumer.poll(part - got.size(), Duration.ofMillis(100)));
            return got.size() >= part;
        });
        Set<String> settled = new HashSet<>();
        got.get(0).deadLetter("gave up before the restart");
        settled.add(got.get(0).event().getId());
        for (Delivery delivery : got.subList(1, got.size() - 1)) {
            delivery.ack();
            settled.add(delivery.event().getId());
        }
        // The last one stays in flight across the restart: it must come back.
        consumer.close();

        reopen();
        assertThat(transport().subscription(spec.name())).hasValueSatisfying(stored -> {
            assertThat(stored.topic()).isEqualTo(topic);
            assertThat(stored.ordered()).isEqualTo(spec.ordered());
            assertThat(stored.deliveryDelay()).isEqualTo(spec.deliveryDelay());
        });
        List<DeadLetter> dead = transport().deadLetters(spec.name(), null, 10);
        assertThat(dead).singleElement().satisfies(letter -> {
            assertThat(letter.event().getId()).isEqualTo(got.get(0).event().getId());
            assertThat(letter.lastError()).isEqualTo("gave up before the restart");
            assertThat(letter.attempts()).isEqualTo(1);
        });
        List<String> expected = new ArrayList<>(ids(events));
        expected.removeAll(settled);
        DeliveryLog log = collect(spec.name()).log();
        awaitAcked(log, expected);
        quietPeriod();
        assertReceivedExactly(log, expected, true);
    }
}
