package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.dispatch.BatchFailure;
import dev.herald.event.EventBuilder;
import dev.herald.event.EventData;
import dev.herald.event.HeraldAttributes;
import dev.herald.event.InvalidEventException;
import dev.herald.event.Provenance;
import dev.herald.event.Violation;
import dev.herald.schema.SchemaRegistry;
import dev.herald.transport.DeadLetter;
import dev.herald.transport.StartPosition;
import dev.herald.transport.memory.InMemoryTransport;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventStoreTest {

    private static final SchemaRegistry SCHEMAS = SchemaRegistry.builtinCatalog();
    private static final Duration FAST_MIN = Duration.ofMillis(10);
    private static final Duration FAST_MAX = Duration.ofMillis(40);

    private final InMemoryTransport transport = new InMemoryTransport();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final EventStore store = EventStore.builder(transport, SCHEMAS).meterRegistry(meters)
            .drainTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void closeStore() {
        store.close();
    }

    private static CloudEvent pipeline(int id) {
        return pipeline(id, "gid://gitlab/Project/1");
    }

    private static CloudEvent pipeline(int id, String project) {
        return EventBuilder.create(SCHEMAS).type("ci.pipeline.created").source("https://gitlab.example.com/app")
                .project(project).data(Map.of("pipeline_id", id)).build();
    }

    private static int pipelineId(CloudEvent event) {
        return EventData.json(event).orElseThrow().get("pipeline_id").asInt();
    }

    private static SubscribeOptions fromEarliest() {
        return SubscribeOptions.defaults().startAt(StartPosition.EARLIEST).backoff(FAST_MIN, FAST_MAX);
    }

    @Test
    void invalidEventsAreRefusedWithTheRegistrysViolationsAndNothingIsStored() {
        CloudEvent invalid = EventBuilder.create(SCHEMAS).type("ci.pipeline.created").source("/ci")
                .data(Map.of("pipeline_id", "not a number")).build();

        assertThatThrownBy(() -> store.publish(List.of(pipeline(1), invalid)))
                .isInstanceOfSatisfying(InvalidEventException.class, e -> assertThat(e.violations())
                        .extracting(Violation::where).containsExactly("[1].data/pipeline_id"));

        List<CloudEvent> received = new CopyOnWriteArrayList<>();
        store.subscribe("audit", received::add, fromEarliest());
        store.publish(pipeline(2));
        await().until(() -> received.size() == 1);
        assertThat(received).extracting(EventStoreTest::pipelineId).containsExactly(2);
    }

    @Test
    void typesWithoutASchemaCannotBePublished() {
        CloudEvent undeclared = EventBuilder.create().type("nobody.declared.this").source("/x").data(Map.of()).build();

        assertThatThrownBy(() -> store.publish(undeclared)).isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("type: no schema is registered");
    }

    @Test
    void everySubscriptionReceivesEveryMatchingEvent() {
        List<CloudEvent> ci = new CopyOnWriteArrayList<>();
        List<CloudEvent> audit = new CopyOnWriteArrayList<>();
        List<CloudEvent> onlyProject2 = new CopyOnWriteArrayList<>();
        store.subscribe("ci", ci::add, SubscribeOptions.forTypes("ci.pipeline.created"));
        store.subscribe("audit", audit::add, SubscribeOptions.defaults());
        store.subscribe("project2", onlyProject2::add, SubscribeOptions.defaults()
                .where(e -> HeraldAttributes.project(e).orElse("").endsWith("/2")));

        for (int i = 0; i < 20; i++) {
            store.publish(pipeline(i, "gid://gitlab/Project/" + (i % 3)));
        }

        await().until(() -> ci.size() == 20 && audit.size() == 20 && onlyProject2.size() == 6);
        assertThat(onlyProject2).extracting(EventStoreTest::pipelineId).containsExactlyInAnyOrder(2, 5, 8, 11, 14, 17);
    }

    @Test
    void aFailingHandlerIsRetriedUntilItSucceeds() {
        Map<Integer, AtomicInteger> attempts = new ConcurrentHashMap<>();
        Set<Integer> done = ConcurrentHashMap.newKeySet();
        store.subscribe("flaky", event -> {
            int id = pipelineId(event);
            if (attempts.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet() < 3) {
                throw new IllegalStateException("downstream unavailable");
            }
            done.add(id);
        }, fromEarliest().maxAttempts(5));

        store.publish(List.of(pipeline(1), pipeline(2)));

        await().until(() -> done.size() == 2);
        assertThat(attempts.get(1)).hasValue(3);
        assertThat(store.deadLetters("flaky").count()).isZero();
    }

    @Test
    void aPoisonEventGoesToDeadLettersAndRedriveDeliversItOnceFixed() {
        AtomicReference<Boolean> fixed = new AtomicReference<>(false);
        List<Integer> handled = new CopyOnWriteArrayList<>();
        store.subscribe("poison", event -> {
            if (pipelineId(event) == 13 && !fixed.get()) {
                throw new IllegalArgumentException("cannot handle pipeline 13");
            }
            handled.add(pipelineId(event));
        }, fromEarliest().maxAttempts(3));
        Instant before = Instant.now();

        store.publish(List.of(pipeline(12), pipeline(13), pipeline(14)));

        await().until(() -> store.deadLetters("poison").count() == 1);
        assertThat(handled).containsExactlyInAnyOrder(12, 14);
        DeadLetter dead = store.deadLetters("poison").all().getFirst();
        assertThat(pipelineId(dead.event())).isEqualTo(13);
        assertThat(dead.attempts()).isEqualTo(3);
        assertThat(dead.lastError()).contains("cannot handle pipeline 13");
        assertThat(dead.firstAttemptAt()).isAfterOrEqualTo(before.minusMillis(1));
        assertThat(dead.deadAt()).isAfterOrEqualTo(dead.firstAttemptAt());

        fixed.set(true);
        assertThat(store.deadLetters("poison").redriveAll()).isEqualTo(1);

        await().until(() -> handled.contains(13));
        assertThat(store.deadLetters("poison").count()).isZero();
    }

    @Test
    void deadLettersCanBeDiscarded() {
        store.subscribe("always-fails", event -> {
            throw new IllegalStateException("no");
        }, fromEarliest().maxAttempts(1));
        store.publish(List.of(pipeline(1), pipeline(2)));
        await().until(() -> store.deadLetters("always-fails").count() == 2);

        DeadLetters deadLetters = store.deadLetters("always-fails");
        assertThat(deadLetters.discard(List.of(deadLetters.all().getFirst().id()))).isEqualTo(1);

        assertThat(deadLetters.count()).isEqualTo(1);
    }

    @Test
    void eventsPublishedByAHandlerAreCausedByTheEventItHandles() throws Exception {
        List<CloudEvent> second = new CopyOnWriteArrayList<>();
        store.subscribe("chain", event -> {
            if (pipelineId(event) == 1) {
                store.publish(pipeline(2));
                store.publish(EventBuilder.from(pipeline(3)).correlationId("explicit").build());
            } else {
                second.add(event);
            }
        }, fromEarliest());

        CloudEvent first = Provenance.withCorrelationId("request-42", () -> store.publish(
                EventBuilder.from(pipeline(1)).traceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                        .build()));

        assertThat(HeraldAttributes.correlationId(first)).contains("request-42");
        await().until(() -> second.size() == 2);
        CloudEvent caused = second.stream().filter(e -> pipelineId(e) == 2).findFirst().orElseThrow();
        assertThat(HeraldAttributes.causationId(caused)).contains(first.getId());
        assertThat(HeraldAttributes.correlationId(caused)).contains("request-42");
        assertThat(HeraldAttributes.traceparent(caused)).isEqualTo(HeraldAttributes.traceparent(first));
        CloudEvent explicit = second.stream().filter(e -> pipelineId(e) == 3).findFirst().orElseThrow();
        assertThat(HeraldAttributes.correlationId(explicit)).contains("explicit");
        assertThat(HeraldAttributes.causationId(explicit)).contains(first.getId());
    }

    @Test
    void outsideAnyScopeNothingIsAdded() {
        CloudEvent published = store.publish(pipeline(1));

        assertThat(HeraldAttributes.causationId(published)).isEmpty();
        assertThat(HeraldAttributes.correlationId(published)).isEmpty();
    }

    @Test
    void perKeyOrderHoldsAndAFailingEventHoldsBackOnlyItsKey() {
        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        Set<Integer> failedOnce = ConcurrentHashMap.newKeySet();
        CountDownLatch otherKeysDone = new CountDownLatch(3 * 10);
        store.subscribe("ordered", event -> {
            int id = pipelineId(event);
            String key = HeraldAttributes.project(event).orElseThrow();
            boolean blocked = key.endsWith("/0") && id == 0;
            if (blocked && otherKeysDone.getCount() > 0) {
                throw new IllegalStateException("key 0 waits until every other key is done");
            }
            if (id % 7 == 3 && failedOnce.add(id)) {
                throw new IllegalStateException("transient");
            }
            seen.computeIfAbsent(key, k -> Collections.synchronizedList(new ArrayList<>())).add(id);
            if (!key.endsWith("/0")) {
                otherKeysDone.countDown();
            }
        }, fromEarliest().orderedByKey().concurrency(8).maxAttempts(1000));

        List<CloudEvent> events = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            events.add(pipeline(i, "gid://gitlab/Project/" + (i % 4)));
        }
        store.publish(events);

        await().atMost(Duration.ofSeconds(30)).until(() -> seen.values().stream().mapToInt(List::size).sum() == 40);
        for (int key = 0; key < 4; key++) {
            List<Integer> expected = new ArrayList<>();
            for (int i = key; i < 40; i += 4) {
                expected.add(i);
            }
            assertThat(seen.get("gid://gitlab/Project/" + key)).as("key %d", key).isEqualTo(expected);
        }
    }

    @Test
    void concurrencyIsBounded() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        store.subscribe("bounded", event -> {
            peak.accumulateAndGet(running.incrementAndGet(), Math::max);
            Thread.sleep(20);
            running.decrementAndGet();
            done.incrementAndGet();
        }, fromEarliest().concurrency(4));

        List<CloudEvent> events = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            events.add(pipeline(i));
        }
        store.publish(events);

        await().until(() -> done.get() == 40);
        assertThat(peak.get()).isEqualTo(4);
    }

    @Test
    void pausedSubscriptionsReceiveNothingUntilResumed() {
        List<CloudEvent> received = new CopyOnWriteArrayList<>();
        Subscription subscription = store.subscribe("pausable", received::add, fromEarliest());
        subscription.pause();

        store.publish(pipeline(1));

        await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(2)).until(received::isEmpty);
        subscription.resume();
        await().until(() -> received.size() == 1);
    }

    @Test
    void closingDrainsRunningHandlersAndTheSubscriptionResumesWhereItStopped() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger completed = new AtomicInteger();
        Subscription slow = store.subscribe("durable", event -> {
            started.countDown();
            Thread.sleep(300);
            completed.incrementAndGet();
        }, fromEarliest().concurrency(1));
        store.publish(pipeline(1));
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();

        slow.close();

        assertThat(completed).hasValue(1);
        store.publish(pipeline(2));
        List<Integer> resumed = new CopyOnWriteArrayList<>();
        store.subscribe("durable", event -> resumed.add(pipelineId(event)), fromEarliest());
        await().until(() -> resumed.size() == 1);
        assertThat(resumed).containsExactly(2);
    }

    @Test
    void aHandlerOutlivingTheDrainTimeoutIsRedeliveredNotLost() throws Exception {
        EventStore impatient = EventStore.builder(transport, SCHEMAS).drainTimeout(Duration.ofMillis(50)).build();
        CountDownLatch started = new CountDownLatch(1);
        Subscription stuck = impatient.subscribe("stuck", event -> {
            started.countDown();
            Thread.sleep(2_000);
        }, fromEarliest());
        impatient.publish(pipeline(7));
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();

        stuck.close();

        List<Integer> again = new CopyOnWriteArrayList<>();
        store.subscribe("stuck", event -> again.add(pipelineId(event)), fromEarliest());
        await().until(() -> again.contains(7));
    }

    @Test
    void batchHandlersGetGroupsAndRetryOnlyTheEventsTheyName() {
        List<Integer> groupSizes = new CopyOnWriteArrayList<>();
        Map<Integer, AtomicInteger> calls = new ConcurrentHashMap<>();
        store.subscribeBatch("grouped", events -> {
            groupSizes.add(events.size());
            Set<String> failed = ConcurrentHashMap.newKeySet();
            for (CloudEvent event : events) {
                int id = pipelineId(event);
                if (calls.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet() == 1 && id == 5) {
                    failed.add(event.getId());
                }
            }
            if (!failed.isEmpty()) {
                throw new BatchFailure(failed, new IllegalStateException("5 failed"));
            }
        }, fromEarliest().groupSize(4));

        List<CloudEvent> events = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            events.add(pipeline(i));
        }
        store.publish(events);

        await().until(() -> calls.size() == 12 && calls.get(5).get() == 2);
        assertThat(groupSizes).allSatisfy(size -> assertThat(size).isBetween(1, 4));
        assertThat(calls).allSatisfy((id, count) -> assertThat(count.get()).isEqualTo(id == 5 ? 2 : 1));
    }

    @Test
    void typedHandlersReceiveBoundData() {
        List<Integer> ids = new CopyOnWriteArrayList<>();
        record Data(@com.fasterxml.jackson.annotation.JsonProperty("pipeline_id") int pipelineId) {
        }
        store.subscribe("typed", Data.class, (data, event) -> ids.add(data.pipelineId()), fromEarliest());

        store.publish(pipeline(99));

        await().until(() -> ids.contains(99));
    }

    @Test
    void deliveryDelayHoldsEventsBack() {
        List<Instant> handledAt = new CopyOnWriteArrayList<>();
        store.subscribe("delayed", event -> handledAt.add(Instant.now()), fromEarliest().delay(Duration.ofMillis(400)));
        Instant published = Instant.now();

        store.publish(pipeline(1));

        await().until(() -> handledAt.size() == 1);
        assertThat(Duration.between(published, handledAt.getFirst())).isGreaterThanOrEqualTo(Duration.ofMillis(400));
    }

    @Test
    void publishingInACallersTransactionNeedsATransactionalTransport() {
        assertThatThrownBy(() -> store.publish(pipeline(1), (java.sql.Connection) null))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("memory transport cannot publish inside a caller's transaction");
    }

    @Test
    void aNameRunsOncePerStore() {
        store.subscribe("once", event -> { }, SubscribeOptions.defaults());

        assertThatThrownBy(() -> store.subscribe("once", event -> { }, SubscribeOptions.defaults()))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void unsubscribeRemovesPositionAndDeadLetters() {
        store.subscribe("gone", event -> { }, SubscribeOptions.defaults());

        store.unsubscribe("gone");

        assertThat(transport.subscription("gone")).isEmpty();
        assertThatThrownBy(() -> store.deadLetters("gone")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void publishAndDispatchAreCountedInMetrics() {
        AtomicInteger done = new AtomicInteger();
        store.subscribe("counted", event -> done.incrementAndGet(), fromEarliest());

        store.publish(List.of(pipeline(1), pipeline(2)));
        assertThatThrownBy(() -> store.publish(EventBuilder.create().type("nope.nope").source("/x").build()));

        await().until(() -> done.get() == 2);
        await().until(() -> meters.find("herald.dispatch").tag("subscription", "counted").tag("outcome", "acked")
                .timer() != null && meters.find("herald.dispatch").tag("outcome", "acked").timer().count() == 2);
        assertThat(meters.get("herald.published.events").tag("type", "ci.pipeline.created").counter().count())
                .isEqualTo(2);
        assertThat(meters.get("herald.publish").tag("outcome", "invalid").timer().count()).isEqualTo(1);
        assertThat(meters.get("herald.subscription.backlog").tag("subscription", "counted").gauge().value())
                .isZero();
    }

    @Test
    void everyPublishAndDispatchIsLoggedAsOneStructuredLine() {
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
                new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("herald");
        root.addAppender(lines);
        try {
            AtomicInteger done = new AtomicInteger();
            store.subscribe("logged", event -> done.incrementAndGet(), fromEarliest());
            CloudEvent published = store.publish(EventBuilder.from(pipeline(1)).correlationId("req-7").build());
            await().until(() -> done.get() == 1);

            await().untilAsserted(() -> assertThat(lines.list).anySatisfy(line -> {
                assertThat(line.getLoggerName()).isEqualTo("herald.dispatch");
                assertThat(keyValues(line)).containsEntry("event_id", published.getId())
                        .containsEntry("type", "ci.pipeline.created").containsEntry("subscription", "logged")
                        .containsEntry("attempt", 1).containsEntry("outcome", "acked")
                        .containsEntry("correlation_id", "req-7").containsKey("duration_ms");
            }));
            assertThat(lines.list).anySatisfy(line -> {
                assertThat(line.getLoggerName()).isEqualTo("herald.publish");
                assertThat(keyValues(line)).containsEntry("event_id", published.getId())
                        .containsEntry("topic", "events").containsEntry("outcome", "ok")
                        .containsEntry("correlation_id", "req-7").containsKey("duration_ms");
            });
        } finally {
            root.detachAppender(lines);
        }
    }

    private static Map<String, Object> keyValues(ch.qos.logback.classic.spi.ILoggingEvent line) {
        Map<String, Object> values = new java.util.HashMap<>();
        if (line.getKeyValuePairs() != null) {
            line.getKeyValuePairs().forEach(kv -> values.put(kv.key, kv.value));
        }
        return values;
    }
}
