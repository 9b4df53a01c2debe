package dev.herald.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.event.EventBuilder;
import dev.herald.event.HeraldAttributes;
import dev.herald.transport.Capability;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.InvalidCursorException;
import dev.herald.transport.LogEntry;
import dev.herald.transport.LogFilter;
import dev.herald.transport.LogPage;
import dev.herald.transport.LogQuery;
import dev.herald.transport.TransactionalTransport;
import dev.herald.transport.TypeGlob;
import io.cloudevents.CloudEvent;
import java.net.URI;
import java.sql.Connection;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Capability {@link Capability#QUERY}: a topic's stored events read back page by page, filtered,
 * with cursors that neither repeat nor skip, within a scan budget. A transport may filter natively
 * (in SQL, with indexes); it must select exactly the events {@link LogFilter#matches} accepts.
 */
public interface QueryConformance extends ConformanceContext {

    @Test
    @DisplayName("Query: reading a topic page by page returns its events exactly once, in publish order per key")
    default void readPagesThroughATopicInPublishOrder() {
        assumeCapability(Capability.QUERY);
        String topic = fresh("topic");
        String other = fresh("topic");
        String run = fresh("run");
        List<CloudEvent> first = new ArrayList<>();
        List<CloudEvent> second = new ArrayList<>();
        for (int i = 0; i < scaled(40); i++) {
            (i < scaled(25) ? first : second).add(TestEvents.keyed(run, "key-" + i % 4, i));
        }
        publish(topic, first);
        publish(other, TestEvents.probes(fresh("other"), 5));
        publish(topic, second);
        List<CloudEvent> expected = new ArrayList<>(first);
        expected.addAll(second);
        awaitStored(topic, expected.size());

        List<LogEntry> all = readAll(LogQuery.of(topic).withLimit(7));

        assertThat(all).extracting(e -> e.event().getId()).containsExactlyInAnyOrderElementsOf(ids(expected));
        Map<String, List<String>> byKey = new LinkedHashMap<>();
        all.forEach(e -> byKey.computeIfAbsent(HeraldAttributes.orderingKey(e.event()).orElseThrow(),
                k -> new ArrayList<>()).add(e.event().getId()));
        byKey.forEach((key, got) -> assertThat(got).as("order of key " + key).containsExactlyElementsOf(
                expected.stream().filter(e -> key.equals(HeraldAttributes.orderingKey(e).orElseThrow()))
                        .map(CloudEvent::getId).toList()));
        assertThat(all).extracting(LogEntry::position).doesNotHaveDuplicates();
        assertThat(all).extracting(LogEntry::publishedAt).isSorted();
        CloudEvent firstRead = all.stream().filter(e -> e.event().getId().equals(first.getFirst().getId()))
                .findFirst().orElseThrow().event();
        assertThat(firstRead.getType()).isEqualTo(first.getFirst().getType());
        assertThat(firstRead.getSource()).isEqualTo(first.getFirst().getSource());
        assertThat(firstRead.getData().toBytes()).isEqualTo(first.getFirst().getData().toBytes());
    }

    @Test
    @DisplayName("Query: an unknown topic and the end of a topic read as empty; the end cursor picks up newer events")
    default void endOfTopicReadsEmptyAndItsCursorPollsForNewEvents() {
        assumeCapability(Capability.QUERY);
        LogPage unknown = transport().query(LogQuery.of(fresh("topic")));
        assertThat(unknown.entries()).isEmpty();
        assertThat(unknown.end()).isEqualTo(LogPage.End.CAUGHT_UP);
        assertThat(unknown.more()).isFalse();

        String topic = fresh("topic");
        String run = fresh("run");
        publish(topic, TestEvents.probes(run, 3));
        awaitStored(topic, 3);
        LogPage page = transport().query(LogQuery.of(topic).withLimit(10));
        assertThat(page.entries()).hasSize(3);
        assertThat(page.end()).isEqualTo(LogPage.End.CAUGHT_UP);
        LogPage atEnd = transport().query(LogQuery.of(topic).withAfter(page.cursor()));
        assertThat(atEnd.entries()).isEmpty();
        assertThat(atEnd.more()).isFalse();

        List<CloudEvent> newer = TestEvents.probes(run, 3, 4);
        publish(topic, newer);
        awaitStored(topic, 7);
        List<LogEntry> polled = readAll(LogQuery.of(topic).withLimit(10).withAfter(atEnd.cursor()));
        // Probes have keys of their own: a partitioned log may interleave them.
        assertThat(polled).extracting(e -> e.event().getId()).containsExactlyInAnyOrderElementsOf(ids(newer));
    }

    @Test
    @DisplayName("Query: every filter (types, globs, project, subject, source, time range, combined) selects exactly the matching events")
    default void filtersSelectExactlyTheMatchingEvents() {
        assumeCapability(Capability.QUERY);
        String topic = fresh("topic");
        String run = fresh("run");
        Instant t0 = Instant.parse("2026-11-25T10:00:00Z");
        List<CloudEvent> events = new ArrayList<>();
        String[] types = {"dev.herald.tck.query.alpha", "dev.herald.tck.query.beta", "dev.herald.tck.query.alpha.sub",
            "dev.herald.tck.other", "dev.herald.tck.under_score", "dev.herald.tck.underXscore"};
        for (int i = 0; i < scaled(48); i++) {
            ZoneOffset offset = i % 2 == 0 ? ZoneOffset.UTC : ZoneOffset.ofHoursMinutes(5, 30);
            EventBuilder builder = EventBuilder.create()
                    .type(types[i % types.length])
                    .source(URI.create(i % 2 == 0 ? "urn:herald:tck:a" : "https://example.com/b"))
                    .subject("s" + i % 5)
                    .time(OffsetDateTime.ofInstant(t0.plusSeconds(60L * i), offset))
                    // One key: every event on one partition, so publish order is the exact expected order.
                    .partitionKey(run)
                    .data(Map.of("run", run, "seq", i));
            if (i % 3 != 0) {
                builder.project("gid://gitlab/Project/" + i % 3);
            }
            events.add(builder.build());
        }
        publish(topic, events);
        awaitStored(topic, events.size());

        List<LogFilter> filters = List.of(
                LogFilter.ALL,
                LogFilter.ALL.withTypes(globs("dev.herald.tck.query.alpha")),
                LogFilter.ALL.withTypes(globs("dev.herald.tck.query.*")),
                LogFilter.ALL.withTypes(globs("*.beta", "dev.herald.tck.other")),
                LogFilter.ALL.withTypes(globs("dev.herald.tck.under_*")),
                LogFilter.ALL.withTypes(globs("*alpha*")),
                LogFilter.ALL.withTypes(globs("no.such.type")),
                LogFilter.ALL.withProject("gid://gitlab/Project/1"),
                LogFilter.ALL.withSubject("s3"),
                LogFilter.ALL.withSource("https://example.com/b"),
                LogFilter.ALL.withTime(t0.plusSeconds(600), t0.plusSeconds(1200)),
                LogFilter.ALL.withTime(t0.plusSeconds(1800), null),
                LogFilter.ALL.withTime(null, t0.plusSeconds(300)),
                LogFilter.ALL.withTypes(globs("dev.herald.tck.query.*")).withProject("gid://gitlab/Project/2")
                        .withTime(t0.plusSeconds(300), t0.plusSeconds(2400)),
                LogFilter.ALL.withSubject("s1").withSource("urn:herald:tck:a"));
        for (LogFilter filter : filters) {
            List<String> expected = events.stream().filter(filter::matches).map(CloudEvent::getId).toList();
            List<LogEntry> got = readAll(LogQuery.of(topic).withFilter(filter).withLimit(3));
            assertThat(got).as(filter.toString()).extracting(e -> e.event().getId()).containsExactlyElementsOf(expected);
        }
        assertThat(events.stream().filter(LogFilter.ALL.withTypes(globs("dev.herald.tck.under_*"))::matches))
                .as("the glob's '_' is no wildcard").hasSize(scaled(48) / types.length);
    }

    @Test
    @DisplayName("Query: a sparse filter stays within the scan budget and continues with a cursor until caught up")
    default void sparseFilterStaysWithinTheScanBudget() {
        assumeCapability(Capability.QUERY);
        String topic = fresh("topic");
        String run = fresh("run");
        List<CloudEvent> events = new ArrayList<>(TestEvents.probes(run, scaled(45)));
        CloudEvent rare = EventBuilder.create().type("dev.herald.tck.rare").source(TestEvents.SOURCE)
                .subject(run + "/rare").data(Map.of("run", run)).build();
        events.add(scaled(20), rare);
        publish(topic, events);
        awaitStored(topic, events.size());

        LogQuery query = LogQuery.of(topic).withFilter(LogFilter.ALL.withTypes(globs("dev.herald.tck.rare")))
                .withLimit(5).withMaxScan(10);
        List<String> found = new ArrayList<>();
        int pages = 0;
        LogPage page;
        do {
            page = transport().query(query);
            pages++;
            assertThat(page.scanned()).as("events examined for one page").isLessThanOrEqualTo(10);
            assertThat(page.entries()).hasSizeLessThanOrEqualTo(5);
            if (page.end() == LogPage.End.SCAN_LIMIT) {
                assertThat(page.more()).isTrue();
            }
            page.entries().forEach(e -> found.add(e.event().getId()));
            query = query.withAfter(page.cursor());
        } while (page.more() && pages < 100);
        assertThat(page.end()).isEqualTo(LogPage.End.CAUGHT_UP);
        assertThat(found).containsExactly(rare.getId());
        report("pages for a sparse filter over " + events.size() + " events with maxScan 10", pages);
    }

    @Test
    @DisplayName("Query: a cursor the transport did not return is refused")
    default void foreignCursorIsRefused() {
        assumeCapability(Capability.QUERY);
        String topic = fresh("topic");
        publish(topic, TestEvents.probes(fresh("run"), 2));
        awaitStored(topic, 2);
        assertThatThrownBy(() -> transport().query(LogQuery.of(topic).withAfter("not a cursor: ~!")))
                .isInstanceOf(InvalidCursorException.class);
    }

    @Test
    @DisplayName("Query: with durability, stored events, their positions and cursors read the same after a restart")
    default void positionsSurviveARestart() throws Exception {
        assumeCapability(Capability.QUERY);
        assumeCapability(Capability.DURABLE);
        String topic = fresh("topic");
        String run = fresh("run");
        publish(topic, List.of(TestEvents.keyed(run, run, 0), TestEvents.keyed(run, run, 1)));
        publish(topic, List.of(TestEvents.keyed(run, run, 2), TestEvents.keyed(run, run, 3),
                TestEvents.keyed(run, run, 4)));
        awaitStored(topic, 5);
        List<LogEntry> before = readAll(LogQuery.of(topic));
        String cursorAfterTwo = transport().query(LogQuery.of(topic).withLimit(2)).cursor();
        reopen();
        List<LogEntry> after = readAll(LogQuery.of(topic));
        assertThat(after).extracting(LogEntry::position).containsExactlyElementsOf(
                before.stream().map(LogEntry::position).toList());
        assertThat(after).extracting(e -> e.event().getId()).containsExactlyElementsOf(
                before.stream().map(e -> e.event().getId()).toList());
        assertThat(readAll(LogQuery.of(topic).withAfter(cursorAfterTwo))).extracting(LogEntry::position)
                .containsExactlyElementsOf(before.subList(2, 5).stream().map(LogEntry::position).toList());
    }

    @Test
    @DisplayName("Query: with transactions, an open transaction's events are not read, and a cursor never skips them once committed")
    default void queryNeverSkipsEventsCommittedLater() throws Exception {
        assumeCapability(Capability.QUERY);
        assumeCapability(Capability.TRANSACTIONS);
        TransactionalTransport transport = (TransactionalTransport) transport();
        DataSource database = transactionalDataSource().orElseThrow(() -> new IllegalStateException(
                transport.name() + " declares TRANSACTIONS: override transactionalDataSource()"));
        String topic = fresh("topic");
        String run = fresh("run");
        List<CloudEvent> before = TestEvents.probes(run, 0, 2);
        publish(topic, before);
        awaitStored(topic, 2);
        List<CloudEvent> held = TestEvents.probes(run, 2, 3);
        List<CloudEvent> later = TestEvents.probes(run, 5, 2);
        List<String> seen = new ArrayList<>();
        String cursor;
        try (Connection open = database.getConnection()) {
            open.setAutoCommit(false);
            transport.publish(topic, EncodedEvent.all(held), open);
            publish(topic, later);
            LogPage page = transport().query(LogQuery.of(topic).withLimit(100));
            page.entries().forEach(e -> seen.add(e.event().getId()));
            assertThat(seen).as("events of a transaction not committed yet").doesNotContainAnyElementsOf(ids(held));
            cursor = page.cursor();
            open.commit();
            open.setAutoCommit(true);
        }
        List<CloudEvent> all = new ArrayList<>(before);
        all.addAll(held);
        all.addAll(later);
        String[] next = {cursor};
        await().untilAsserted(() -> {
            LogPage page = transport().query(LogQuery.of(topic).withAfter(next[0]));
            page.entries().forEach(e -> seen.add(e.event().getId()));
            next[0] = page.cursor();
            assertThat(seen).as("every committed event").hasSameSizeAs(all);
        });
        assertThat(seen).as("every committed event exactly once").containsExactlyInAnyOrderElementsOf(ids(all));
    }

    /**
     * Waits until a topic reads {@code count} events: a transport may show an event only once every
     * transaction that could precede it in the log has ended (PostgreSQL's horizon).
     */
    private void awaitStored(String topic, int count) {
        await().untilAsserted(() -> assertThat(readAll(LogQuery.of(topic).withLimit(1000))).hasSize(count));
    }

    /** Follows the cursors of {@code query} until a page says it is caught up. */
    private List<LogEntry> readAll(LogQuery query) {
        List<LogEntry> all = new ArrayList<>();
        LogQuery next = query;
        for (int pages = 0; pages < 10_000; pages++) {
            LogPage page = transport().query(next);
            assertThat(page.entries()).hasSizeLessThanOrEqualTo(query.limit());
            assertThat(page.scanned()).isLessThanOrEqualTo(query.maxScan());
            all.addAll(page.entries());
            if (!page.more()) {
                return all;
            }
            assertThat(page.cursor()).as("a page that is not the last moves the cursor")
                    .isNotEqualTo(Objects.requireNonNullElse(next.after(), ""));
            next = next.withAfter(page.cursor());
        }
        throw new AssertionError("no end after 10,000 pages");
    }

    private static List<TypeGlob> globs(String... patterns) {
        return java.util.Arrays.stream(patterns).map(TypeGlob::new).toList();
    }
}
