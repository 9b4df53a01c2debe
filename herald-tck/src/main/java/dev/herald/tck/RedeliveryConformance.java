package dev.herald.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.transport.Consumer;
import dev.herald.transport.DeadLetter;
import dev.herald.transport.Delivery;
import dev.herald.transport.SubscriptionSpec;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Always — failure and redelivery: TCK.md items 5, 6, 7 and 11. */
public interface RedeliveryConformance extends ConformanceContext {

    @Test
    @DisplayName("Always 5: nacked events are redelivered after (not before) the delay, and all arrive")
    default void nackWithDelayRedeliversNotBeforeTheDelay() throws Exception {
        String topic = fresh("topic");
        SubscriptionSpec spec = subscribe(topic);
        Duration delay = Duration.ofMillis(500);
        DeliveryLog log = collect(spec.name(),
                d -> d.attempt() == 1 ? Outcome.nack(delay) : Outcome.ack()).log();
        List<CloudEvent> events = TestEvents.probes(fresh("run"), scaled(20));
        publish(topic, events);
        awaitAcked(log, ids(events));
        for (String id : ids(events)) {
            List<DeliveryLog.Entry> history = log.entries(id);
            DeliveryLog.Entry nacked = first(history, DeliveryLog.Kind.NACKED);
            DeliveryLog.Entry redelivered = history.stream()
                    .filter(e -> e.kind() == DeliveryLog.Kind.DELIVERED && e.seq() > nacked.seq())
                    .findFirst().orElseThrow();
            assertThat(Duration.ofNanos(redelivered.nanos() - nacked.nanos()))
                    .as("redelivery of %s after nack(%s)", id, delay)
                    .isGreaterThanOrEqualTo(delay.minus(CLOCK_TOLERANCE));
            assertThat(redelivered.attempt()).as("attempt of the redelivery after one nack").isEqualTo(2);
        }
        quietPeriod();
        assertReceivedExactly(log, ids(events), true);
    }

    @Test
    @DisplayName("Always 6: redelivery keeps flowing through consumers that keep failing; a healthy one then gets all")
    default void redeliveryKeepsFlowingThroughFailingConsumers() throws Exception {
        String topic = fresh("topic");
        SubscriptionSpec spec = subscribe(topic);
        DeliveryLog failing = new DeliveryLog();
        List<Collector> failures = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            failures.add(collect(spec.name(), d -> Outcome.nack(Duration.ofMillis(10)), failing));
        }
        List<CloudEvent> events = TestEvents.probes(fresh("run"), scaled(20));
        publish(topic, events);
        // Every event went round at least three times: redelivery does not stall on repeated failure.
        await().untilAsserted(() -> {
            failOnCollectorErrors(failing);
            for (String id : ids(events)) {
                assertThat(failing.deliveryCount(id)).as("deliveries of %s to failing consumers", id)
                        .isGreaterThanOrEqualTo(3);
            }
        });
        failures.forEach(Collector::close);

        DeliveryLog healthy = collect(spec.name()).log();
        awaitAcked(healthy, ids(events));
        for (DeliveryLog.Entry entry : healthy.entries()) {
            if (entry.kind() == DeliveryLog.Kind.ACKED) {
                long nacks = failing.entries(entry.id()).stream().filter(e -> e.kind() == DeliveryLog.Kind.NACKED).count();
                assertThat(entry.attempt()).as("attempt of %s after %d nacks", entry.id(), nacks)
                        .isGreaterThanOrEqualTo((int) nacks + 1);
            }
        }
        quietPeriod();
        assertReceivedExactly(healthy, ids(events), true);
    }

    @Test
    @DisplayName("Always 7: consumer restart loses nothing and repeats only unacked events; settling after close is a no-op")
    default void consumerRestartRedeliversOnlyUnacked() throws Exception {
        String topic = fresh("topic");
        SubscriptionSpec spec = subscribe(topic);
        List<CloudEvent> events = TestEvents.probes(fresh("run"), scaled(40));
        publish(topic, events);

        Consumer first = openConsumer(spec.name());
        List<Delivery> got = new ArrayList<>();
        int part = events.size() / 2;
        await().until(() -> {
            got.addAll(first.poll(part - got.size(), Duration.ofMillis(100)));
            return got.size() >= part;
        });
        Set<String> acked = new HashSet<>();
        List<Delivery> unacked = new ArrayList<>();
        for (int i = 0; i < got.size(); i++) {
            if (i % 2 == 0) {
                got.get(i).ack();
                acked.add(got.get(i).event().getId());
            } else {
                unacked.add(got.get(i));
            }
        }
        first.close();
        // The consumer is closed: this ack must not count, the event is redelivered.
        unacked.get(0).ack();

        DeliveryLog log = collect(spec.name()).log();
        Set<String> expected = new HashSet<>(ids(events));
        expected.removeAll(acked);
        awaitAcked(log, expected);
        quietPeriod();
        assertThat(log.deliveredIds()).as("acknowledged before the restart, delivered again").doesNotContainAnyElementsOf(acked);
        assertThat(log.ackedIds()).as("acked after its consumer closed, so still delivered")
                .contains(unacked.get(0).event().getId());
        assertReceivedExactly(log, expected, true);
    }

    @Test
    @DisplayName("Always 11: a poison event is dead-lettered with its last error, does not hold others back, and can be redriven or discarded")
    default void poisonEventIsDeadLetteredThenRedrivenOrDiscarded() throws Exception {
        int maxAttempts = 3;
        String topic = fresh("topic");
        SubscriptionSpec spec = subscribe(topic);
        String run = fresh("run");
        CloudEvent poison = TestEvents.probe(run, 0);
        CloudEvent fatal = TestEvents.probe(run, 1);
        List<CloudEvent> others = TestEvents.probes(run, 2, scaled(20));
        AtomicBoolean fixed = new AtomicBoolean();
        // The SPI-level retry loop a dispatcher runs: nack until the last attempt, then dead-letter.
        DeliveryLog log = collect(spec.name(), d -> {
            String id = d.event().getId();
            if (id.equals(fatal.getId())) {
                return Outcome.deadLetter("fatal: cannot handle");
            }
            if (!id.equals(poison.getId()) || fixed.get()) {
                return Outcome.ack();
            }
            String error = "handler failed on attempt " + d.attempt();
            if (d.attempt() >= maxAttempts) {
                return Outcome.deadLetter(error);
            }
            // A long first back-off gives the other events time to show they are not held back.
            return Outcome.nack(d.attempt() == 1 ? Duration.ofMillis(1500) : Duration.ofMillis(50));
        }).log();
        List<CloudEvent> all = new ArrayList<>();
        all.add(poison);
        all.addAll(others);
        publish(topic, all);

        awaitAcked(log, ids(others));
        List<DeadLetter> dead = awaitDeadLetters(spec.name(), 1);
        DeadLetter letter = dead.get(0);
        assertThat(letter.event().getId()).isEqualTo(poison.getId());
        EventAssertions.assertSameEvent(poison, letter.event());
        assertThat(letter.subscription()).isEqualTo(spec.name());
        assertThat(letter.attempts()).as("attempts").isEqualTo(maxAttempts);
        assertThat(letter.lastError()).as("last error").isEqualTo("handler failed on attempt " + maxAttempts);
        assertThat(letter.firstAttemptAt()).isNotNull();
        assertThat(letter.deadAt()).isNotNull().isAfterOrEqualTo(letter.firstAttemptAt());
        assertThat(transport().stats(spec.name()).deadLetters()).isEqualTo(1);
        long lastOtherAck = log.entries().stream()
                .filter(e -> e.kind() == DeliveryLog.Kind.ACKED && !e.id().equals(poison.getId()))
                .mapToLong(DeliveryLog.Entry::seq).max().orElseThrow();
        long secondPoisonDelivery = log.entries(poison.getId()).stream()
                .filter(e -> e.kind() == DeliveryLog.Kind.DELIVERED && e.attempt() == 2)
                .mapToLong(DeliveryLog.Entry::seq).findFirst().orElseThrow();
        assertThat(lastOtherAck).as("every other event was handled while the poison event waited for its retry")
                .isLessThan(secondPoisonDelivery);

        fixed.set(true);
        assertThat(transport().redrive(spec.name(), List.of(letter.id()))).isEqualTo(1);
        await().until(() -> log.ackCount(poison.getId()) == 1);
        DeliveryLog.Entry redriven = log.entries(poison.getId()).stream()
                .filter(e -> e.kind() == DeliveryLog.Kind.ACKED).findFirst().orElseThrow();
        assertThat(redriven.attempt()).as("attempt count restarts on redrive").isEqualTo(1);
        assertThat(transport().deadLetters(spec.name(), null, 10)).isEmpty();

        publish(topic, List.of(fatal));
        DeadLetter fatalLetter = awaitDeadLetters(spec.name(), 1).get(0);
        assertThat(fatalLetter.event().getId()).isEqualTo(fatal.getId());
        assertThat(fatalLetter.attempts()).isEqualTo(1);
        assertThat(fatalLetter.lastError()).isEqualTo("fatal: cannot handle");
        assertThat(transport().discard(spec.name(), List.of(fatalLetter.id()))).isEqualTo(1);
        assertThat(transport().deadLetters(spec.name(), null, 10)).isEmpty();
        assertThat(transport().redrive(spec.name(), List.of(fatalLetter.id()))).as("redrive after discard").isZero();
        assertThat(transport().discard(spec.name(), List.of(fatalLetter.id()))).as("discard twice").isZero();
        quietPeriod();
        assertThat(log.deliveryCount(fatal.getId())).as("a discarded event is not delivered again").isEqualTo(1);
        assertThat(transport().stats(spec.name()).deadLetters()).isZero();
    }

    /** Waits until the subscription has exactly {@code count} dead letters and returns them. */
    private List<DeadLetter> awaitDeadLetters(String subscription, int count) {
        List<List<DeadLetter>> result = new ArrayList<>();
        await().untilAsserted(() -> {
            List<DeadLetter> letters = transport().deadLetters(subscription, null, count + 10);
            assertThat(letters).hasSize(count);
            result.add(letters);
        });
        return result.get(result.size() - 1);
    }

    private static DeliveryLog.Entry first(List<DeliveryLog.Entry> history, DeliveryLog.Kind kind) {
        return history.stream().filter(e -> e.kind() == kind).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " entry in " + history));
    }
}
