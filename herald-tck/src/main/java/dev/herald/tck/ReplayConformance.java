package dev.herald.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.transport.Capability;
import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionSpec;
import io.cloudevents.CloudEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Capability {@link Capability#REPLAY}: start from earliest or a timestamp, and rewind with seek. */
public interface ReplayConformance extends ConformanceContext {

    @Test
    @DisplayName("Replay: a new subscription from earliest sees old events, one from latest only new ones")
    default void newSubscriptionFromEarliestSeesOldEvents() throws Exception {
        assumeCapability(Capability.REPLAY);
        String topic = fresh("topic");
        String run = fresh("run");
        List<CloudEvent> old = TestEvents.probes(run, scaled(30));
        publish(topic, old);
        SubscriptionSpec earliest = subscribe(SubscriptionSpec.of(fresh("sub"), topic).withStart(StartPosition.EARLIEST));
        SubscriptionSpec latest = subscribe(SubscriptionSpec.of(fresh("sub"), topic).withStart(StartPosition.LATEST));
        List<CloudEvent> fresh = TestEvents.probes(run, old.size(), scaled(10));
        publish(topic, fresh);
        DeliveryLog fromEarliest = collect(earliest.name()).log();
        DeliveryLog fromLatest = collect(latest.name()).log();
        List<String> all = new ArrayList<>(ids(old));
        all.addAll(ids(fresh));
        awaitAcked(fromEarliest, all);
        awaitAcked(fromLatest, ids(fresh));
        quietPeriod();
        assertReceivedExactly(fromEarliest, all, true);
        assertReceivedExactly(fromLatest, ids(fresh), true);
    }

    @Test
    @DisplayName("Replay: a subscription from a timestamp sees exactly the events published at or after it")
    default void subscriptionFromTimestampSeesExactlyLaterEvents() throws Exception {
        assumeCapability(Capability.REPLAY);
        String topic = fresh("topic");
        String run = fresh("run");
        List<CloudEvent> before = TestEvents.probes(run, scaled(20));
        List<CloudEvent> after = TestEvents.probes(run, before.size(), scaled(20));
        publish(topic, before);
        Thread.sleep(50);
        publish(topic, after.subList(0, 1));
        publish(topic, after.subList(1, after.size()));
        // The cut is taken from the transport's own publish times, so broker clock skew cannot matter.
        Map<String, Instant> publishedAt = publishTimes(topic, ids(before).size() + ids(after).size());
        Instant cut = ids(after).stream().map(publishedAt::get).min(Instant::compareTo).orElseThrow();
        assertThat(ids(before).stream().map(publishedAt::get)).as("publish times before the 50 ms pause")
                .allMatch(t -> t.isBefore(cut));

        SubscriptionSpec spec = subscribe(SubscriptionSpec.of(fresh("sub"), topic).withStart(StartPosition.at(cut)));
        DeliveryLog log = collect(spec.name()).log();
        awaitAcked(log, ids(after));
        quietPeriod();
        assertReceivedExactly(log, ids(after), true);
    }

    @Test
    @DisplayName("Replay: seek rewinds to earliest, skips to latest, and moves to a timestamp")
    default void seekRepositionsASubscription() throws Exception {
        assumeCapability(Capability.REPLAY);
        String topic = fresh("topic");
        String run = fresh("run");
        SubscriptionSpec spec = subscribe(SubscriptionSpec.of(fresh("sub"), topic).withStart(StartPosition.EARLIEST));
        List<CloudEvent> first = TestEvents.probes(run, scaled(20));
        publish(topic, first);
        consumeExactly(spec.name(), ids(first));

        transport().seek(spec.name(), StartPosition.EARLIEST);
        consumeExactly(spec.name(), ids(first));

        transport().seek(spec.name(), StartPosition.LATEST);
        List<CloudEvent> second = TestEvents.probes(run, first.size(), scaled(10));
        publish(topic, second);
        DeliveryLog afterLatest = consumeExactly(spec.name(), ids(second));

        Instant cut = afterLatest.entries().stream().map(DeliveryLog.Entry::publishedAt)
                .min(Instant::compareTo).orElseThrow();
        transport().seek(spec.name(), StartPosition.at(cut));
        List<String> fromCut = afterLatest.entries().stream().filter(e -> !e.publishedAt().isBefore(cut))
                .map(DeliveryLog.Entry::id).distinct().toList();
        consumeExactly(spec.name(), fromCut);
    }

    /** Reads a whole topic through a throw-away subscription from earliest: publish time by event id. */
    private Map<String, Instant> publishTimes(String topic, int count) throws Exception {
        SubscriptionSpec probe = subscribe(SubscriptionSpec.of(fresh("probe"), topic).withStart(StartPosition.EARLIEST));
        try (Collector collector = collect(probe.name())) {
            await().until(() -> collector.log().ackedCount() >= count);
            return collector.log().entries().stream().collect(
                    Collectors.toMap(DeliveryLog.Entry::id, DeliveryLog.Entry::publishedAt, (a, b) -> a));
        } finally {
            transport().deleteSubscription(probe.name());
        }
    }

    /** Consumes with a collector until exactly {@code expected} arrived, then closes it. */
    private DeliveryLog consumeExactly(String subscription, List<String> expected) throws Exception {
        try (Collector collector = collect(subscription)) {
            awaitAcked(collector.log(), expected);
            quietPeriod();
            assertReceivedExactly(collector.log(), expected, true);
            return collector.log();
        }
    }
}
