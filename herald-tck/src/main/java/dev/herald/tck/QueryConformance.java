package dev.herald.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.transport.Capability;
import dev.herald.transport.LogEntry;
import io.cloudevents.CloudEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Capability {@link Capability#QUERY}: a topic's stored events read back by position, page by page. */
public interface QueryConformance extends ConformanceContext {

    @Test
    @DisplayName("Query: reading a topic page by page returns its events exactly once, in publish order")
    default void readPagesThroughATopicInPublishOrder() {
        assumeCapability(Capability.QUERY);
        String topic = fresh("topic");
        String other = fresh("topic");
        String run = fresh("run");
        List<CloudEvent> first = TestEvents.probes(run, scaled(25));
        List<CloudEvent> second = TestEvents.probes(run, first.size(), scaled(12));
        publish(topic, first);
        publish(other, TestEvents.probes(fresh("other"), 5));
        publish(topic, second);
        List<String> expected = new ArrayList<>(ids(first));
        expected.addAll(ids(second));

        List<LogEntry> all = new ArrayList<>();
        long after = 0;
        for (List<LogEntry> page = transport().read(topic, after, 7); !page.isEmpty();
             page = transport().read(topic, after, 7)) {
            assertThat(page).hasSizeLessThanOrEqualTo(7);
            all.addAll(page);
            after = page.getLast().position();
        }

        assertThat(all).extracting(e -> e.event().getId()).containsExactlyElementsOf(expected);
        assertThat(all).extracting(LogEntry::position).isSorted().doesNotHaveDuplicates().allMatch(p -> p > 0);
        assertThat(all).extracting(LogEntry::publishedAt).isSorted();
        assertThat(all.getFirst().event().getType()).isEqualTo(first.getFirst().getType());
        assertThat(all.getFirst().event().getSource()).isEqualTo(first.getFirst().getSource());
    }

    @Test
    @DisplayName("Query: an unknown topic reads as empty, and so does reading past the last position")
    default void unknownTopicAndEndOfTopicReadEmpty() {
        assumeCapability(Capability.QUERY);
        assertThat(transport().read(fresh("topic"), 0, 10)).isEmpty();
        String topic = fresh("topic");
        publish(topic, TestEvents.probes(fresh("run"), 3));
        List<LogEntry> entries = transport().read(topic, 0, 10);
        assertThat(entries).hasSize(3);
        assertThat(transport().read(topic, entries.getLast().position(), 10)).isEmpty();
        assertThat(transport().read(topic, 0, 0)).isEmpty();
    }

    @Test
    @DisplayName("Query: with durability, stored events and their positions read the same after a restart")
    default void positionsSurviveARestart() throws Exception {
        assumeCapability(Capability.QUERY);
        assumeCapability(Capability.DURABLE);
        String topic = fresh("topic");
        publish(topic, TestEvents.probes(fresh("run"), 5));
        List<LogEntry> before = transport().read(topic, 0, 10);
        reopen();
        List<LogEntry> after = transport().read(topic, 0, 10);
        assertThat(after).extracting(LogEntry::position).containsExactlyElementsOf(
                before.stream().map(LogEntry::position).toList());
        assertThat(after).extracting(e -> e.event().getId()).containsExactlyElementsOf(
                before.stream().map(e -> e.event().getId()).toList());
        assertThat(transport().read(topic, before.get(1).position(), 10)).extracting(LogEntry::position)
                .containsExactlyElementsOf(before.subList(2, 5).stream().map(LogEntry::position).toList());
    }
}
