package dev.herald.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.transport.Capability;
import dev.herald.transport.SubscriptionSpec;
import io.cloudevents.CloudEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Capability {@link Capability#ATOMIC_BATCH}: a batch is stored whole or not at all. */
public interface AtomicBatchConformance extends ConformanceContext {

    @Test
    @DisplayName("Atomic batch: a batch that fails part-way stores none of its events")
    default void failedBatchStoresNothing() throws Exception {
        assumeCapability(Capability.ATOMIC_BATCH);
        String topic = fresh("topic");
        SubscriptionSpec spec = subscribe(topic);
        String run = fresh("run");
        List<CloudEvent> doomed = new ArrayList<>(TestEvents.probes(run, 10));
        doomed.add(null); // cannot be stored: the whole call must fail
        assertThatThrownBy(() -> publish(topic, doomed)).isInstanceOf(RuntimeException.class);
        List<CloudEvent> good = TestEvents.probes(run, 10, 10);
        publish(topic, good);
        DeliveryLog log = collect(spec.name()).log();
        awaitAcked(log, ids(good));
        quietPeriod();
        assertThat(log.deliveredIds()).as("events of the failed batch").doesNotContainAnyElementsOf(
                ids(doomed.subList(0, 10)));
        assertReceivedExactly(log, ids(good), true);
    }
}
