package dev.herald.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.transport.Consumer;
import dev.herald.transport.DeadLetter;
import dev.herald.transport.Delivery;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.SubscriptionSpec;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Always — the SPI's small print, which used to be checked in single transports' own tests: arguments are
 * checked, a delivery settles once, a delivery its consumer released settles nothing, and a closed transport
 * refuses work.
 */
public interface SpiContractConformance extends ConformanceContext {

    @Test
    @DisplayName("SPI: bad arguments are refused (poll max, timeout, unknown subscription, nack delay)")
    default void argumentsAreChecked() throws Exception {
        String topic = fresh("topic");
        SubscriptionSpec spec = subscribe(topic);
        assertThatThrownBy(() -> transport().openConsumer(fresh("missing"))).isInstanceOf(IllegalArgumentException.class);
        publish(topic, List.of()); // an empty batch is fine
        publish(topic, TestEvents.probes(fresh("run"), 1));
        Consumer consumer = openConsumer(spec.name());
        assertThatThrownBy(() -> consumer.poll(0, Duration.ofMillis(10))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> consumer.poll(1, null)).isInstanceOf(NullPointerException.class);
        Delivery delivery = pollOne(consumer);
        assertThatThrownBy(() -> delivery.nack(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> delivery.nack(null)).isInstanceOf(NullPointerException.class);
        delivery.ack();
    }

    @Test
    @DisplayName("SPI: a delivery settles once; settling it again has no effect")
    default void settlingTwiceHasNoFurtherEffect() throws Exception {
        String topic = fresh("topic");
        SubscriptionSpec spec = subscribe(topic);
        publish(topic, TestEvents.probes(fresh("run"), 1));
        Consumer consumer = openConsumer(spec.name());
        Delivery delivery = pollOne(consumer);
        delivery.ack();
        delivery.nack(Duration.ZERO);
        delivery.deadLetter("settled twice");
        quietPeriod();
        assertThat(consumer.poll(1, Duration.ofMillis(200))).as("acked: not delivered again").isEmpty();
        assertThat(transport().deadLetters(spec.name(), null, 10)).isEmpty();
    }

    @Test
    @DisplayName("SPI: dead-lettering without an error records one; the event is not delivered again")
    default void deadLetteringWithoutAnErrorRecordsOne() throws Exception {
        String topic = fresh("topic");
        SubscriptionSpec spec = subscribe(topic);
        List<CloudEvent> events = TestEvents.probes(fresh("run"), 1);
        publish(topic, events);
        Consumer consumer = openConsumer(spec.name());
        pollOne(consumer).deadLetter(null);
        await().until(() -> !transport().deadLetters(spec.name(), null, 10).isEmpty());
        DeadLetter dead = transport().deadLetters(spec.name(), null, 10).get(0);
        assertThat(dead.event().getId()).isEqualTo(events.get(0).getId());
        assertThat(dead.lastError()).isNotBlank();
    }

    @Test
    @DisplayName("SPI: a delivery settled after its consumer closed does nothing; the event comes again")
    default void aReleasedDeliverySettledLaterDoesNothing() throws Exception {
        String topic = fresh("topic");
        SubscriptionSpec spec = subscribe(topic);
        List<CloudEvent> events = TestEvents.probes(fresh("run"), 1);
        publish(topic, events);
        Consumer first = transport().openConsumer(spec.name());
        Delivery stale = pollOne(first);
        first.close();
        stale.deadLetter("too late");
        stale.ack();
        Delivery again = pollOne(openConsumer(spec.name()));
        assertThat(again.event().getId()).isEqualTo(events.get(0).getId());
        again.ack();
        assertThat(transport().deadLetters(spec.name(), null, 10)).isEmpty();
    }

    @Test
    @DisplayName("SPI: a closed transport refuses work, its consumers included; closing twice is harmless")
    default void aClosedTransportRefusesWork() throws Exception {
        String topic = fresh("topic");
        SubscriptionSpec spec = subscribe(topic);
        Consumer consumer = transport().openConsumer(spec.name());
        stopTransport();
        transport().close();
        assertThatThrownBy(() -> consumer.poll(1, Duration.ZERO)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> transport().publish(topic, EncodedEvent.all(TestEvents.probes(fresh("run"), 1))))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> transport().openConsumer(spec.name())).isInstanceOf(IllegalStateException.class);
        consumer.close();
    }

    /** Polls until one delivery arrives, within the kit's timeout. */
    private Delivery pollOne(Consumer consumer) throws InterruptedException {
        List<Delivery> got = new ArrayList<>();
        await().until(() -> {
            got.addAll(consumer.poll(1, Duration.ofMillis(200)));
            return !got.isEmpty();
        });
        return got.get(0);
    }
}
