package dev.herald.tck;

import dev.herald.transport.Capability;
import dev.herald.transport.NativeFilter;
import dev.herald.transport.SubscriptionSpec;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Capability {@link Capability#NATIVE_FILTERING}: the broker evaluates a subscription's
 * {@link SubscriptionSpec#filter() native filter}, so its consumers receive the events the filter accepts and
 * nothing else. The filters here are small conjunctions, disjunctions and negations of exact and prefix
 * matches on {@code type} and {@code subject}: what every broker with native filtering can express whole.
 */
public interface NativeFilteringConformance extends ConformanceContext {

    /** The two types the events of these tests carry. */
    String TYPE_A = "dev.herald.tck.filtered.a";
    String TYPE_B = "dev.herald.tck.filtered.b";

    @Test
    @DisplayName("Native filtering: an exact type and a subject prefix together deliver exactly the events matching both")
    default void aConjunctionDeliversExactlyWhatMatchesAll() throws Exception {
        assumeCapability(Capability.NATIVE_FILTERING);
        String run = fresh("run");
        NativeFilter filter = new NativeFilter.All(List.of(new NativeFilter.Exact("type", TYPE_A),
                new NativeFilter.Prefix("subject", run + "/keep/")));
        deliversExactlyWhatTheFilterAccepts(run, filter);
    }

    @Test
    @DisplayName("Native filtering: any and not deliver exactly the events the filter accepts")
    default void aDisjunctionWithANegationDeliversExactlyWhatItAccepts() throws Exception {
        assumeCapability(Capability.NATIVE_FILTERING);
        String run = fresh("run");
        NativeFilter filter = new NativeFilter.Any(List.of(new NativeFilter.Exact("type", TYPE_A),
                new NativeFilter.Not(new NativeFilter.Prefix("subject", run + "/drop/"))));
        deliversExactlyWhatTheFilterAccepts(run, filter);
    }

    private void deliversExactlyWhatTheFilterAccepts(String run, NativeFilter filter) throws Exception {
        String topic = fresh("topic");
        SubscriptionSpec spec = subscribe(SubscriptionSpec.of(fresh("sub"), topic).withFilter(filter));
        DeliveryLog log = collect(spec.name()).log();
        List<CloudEvent> events = mixed(run, scaled(40));
        publish(topic, events);
        List<CloudEvent> accepted = events.stream().filter(filter::matches).toList();
        // Both sides of the filter are exercised, or the test proves nothing.
        if (accepted.isEmpty() || accepted.size() == events.size()) {
            throw new AssertionError("the events must include some the filter accepts and some it rejects");
        }
        awaitAcked(log, ids(accepted));
        quietPeriod();
        assertReceivedExactly(log, ids(accepted), true);
    }

    /** Probes of both types with subjects under {@code keep/}, {@code drop/} and elsewhere, in a mixed order. */
    private static List<CloudEvent> mixed(String run, int n) {
        List<String> subjects = List.of("/keep/", "/drop/", "/other/");
        List<CloudEvent> events = new ArrayList<>(n);
        for (int seq = 0; seq < n; seq++) {
            events.add(CloudEventBuilder.v1(TestEvents.probe(run, seq))
                    .withType(seq % 2 == 0 ? TYPE_A : TYPE_B)
                    .withSubject(run + subjects.get(seq % subjects.size()) + seq)
                    .build());
        }
        return events;
    }
}
