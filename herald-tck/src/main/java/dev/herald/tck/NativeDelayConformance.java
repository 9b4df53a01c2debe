package dev.herald.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.transport.Capability;
import dev.herald.transport.SubscriptionSpec;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Capability {@link Capability#NATIVE_DELAY}: each delayed delivery arrives no earlier than asked. */
public interface NativeDelayConformance extends ConformanceContext {

    @Test
    @DisplayName("Native delay: events nacked with different delays each arrive no earlier than their own delay")
    default void eachDelayIsHonouredIndividually() throws Exception {
        assumeCapability(Capability.NATIVE_DELAY);
        String topic = fresh("topic");
        SubscriptionSpec spec = subscribe(topic);
        DeliveryLog log = collect(spec.name(), d -> d.attempt() == 1
                ? Outcome.nack(delayFor(TestEvents.seq(d.event()))) : Outcome.ack()).log();
        List<CloudEvent> events = TestEvents.probes(fresh("run"), scaled(25));
        // Long and short delays alternate, so redelivering in nack order cannot pass.
        publish(topic, events);
        awaitAcked(log, ids(events));
        for (CloudEvent event : events) {
            List<DeliveryLog.Entry> history = log.entries(event.getId());
            DeliveryLog.Entry nacked = history.stream().filter(e -> e.kind() == DeliveryLog.Kind.NACKED)
                    .findFirst().orElseThrow();
            DeliveryLog.Entry again = history.stream()
                    .filter(e -> e.kind() == DeliveryLog.Kind.DELIVERED && e.seq() > nacked.seq())
                    .findFirst().orElseThrow();
            Duration asked = delayFor(TestEvents.seq(event));
            assertThat(Duration.ofNanos(again.nanos() - nacked.nanos())).as("redelivery of %s after nack(%s)",
                    event.getId(), asked).isGreaterThanOrEqualTo(asked.minus(CLOCK_TOLERANCE));
        }
        quietPeriod();
        assertReceivedExactly(log, ids(events), true);
    }

    private static Duration delayFor(int seq) {
        return Duration.ofMillis(100 + (seq * 7 % 5) * 200L);
    }
}
