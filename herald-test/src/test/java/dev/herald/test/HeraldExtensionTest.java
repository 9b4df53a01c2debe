package dev.herald.test;

import static dev.herald.test.HeraldAssertions.assertThatEvents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.event.EventBuilder;
import dev.herald.event.InvalidEventException;
import dev.herald.schema.Compatibility;
import dev.herald.schema.SchemaRegistry;
import dev.herald.store.EventStore;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * What {@link HeraldExtension} does to a test, seen by running sample test classes (nested here, so that
 * Surefire does not run them on their own) with JUnit's engine test kit.
 */
class HeraldExtensionTest {

    private static Events run(Class<?> sample) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(sample)).execute().testEvents();
    }

    @Test
    void theConstructorBeforeEachAndTestShareOneStoreWhichIsClosedAfterwards() {
        run(SharesOneStore.class).assertStatistics(stats -> stats.started(1).succeeded(1));

        assertThatThrownBy(() -> SharesOneStore.seen.transport().subscription("anything"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void aHandlerPublishingATypeWithoutSchemaFailsTheTest() {
        run(HandlerPublishesATypo.class).assertThatEvents().haveExactly(1, finishedWithFailure(
                instanceOf(AssertionError.class),
                message(m -> m.contains("the event store refused 1 publish(es) during this test")
                        && m.contains("  - ci.pipline.created ")
                        && m.contains("type: no schema is registered for this type (value: ci.pipline.created)")
                        && m.contains("assertThatEvents(store).refused(type)"))));
    }

    @Test
    void aRefusalTheTestExpectsOrAllowsPasses() {
        run(ExpectsTheRefusal.class).assertStatistics(stats -> stats.succeeded(1).failed(0));
        run(AllowsRefusals.class).assertStatistics(stats -> stats.succeeded(1).failed(0));
    }

    @Test
    void aStoreForAWholeClassIsRefused() {
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(AsksInBeforeAll.class)).execute()
                .containerEvents().assertThatEvents().haveExactly(1, finishedWithFailure(
                        instanceOf(ParameterResolutionException.class),
                        message(m -> m.contains("gives each test its own EventStore"))));
    }

    @Test
    void schemasCanComeFromTheTest() {
        run(OwnSchemas.class).assertStatistics(stats -> stats.succeeded(1).failed(0));
    }

    @ExtendWith(HeraldExtension.class)
    static class SharesOneStore {
        static EventStore seen;
        private final EventStore fromConstructor;
        private EventStore fromBeforeEach;

        SharesOneStore(EventStore store) {
            this.fromConstructor = store;
        }

        @BeforeEach
        void setUp(EventStore store) {
            fromBeforeEach = store;
        }

        @Test
        void test(EventStore store, EventFixtures fixtures, PublishedEvents published, SchemaRegistry schemas) {
            seen = store;
            assertThat(store).isSameAs(fromConstructor).isSameAs(fromBeforeEach).isSameAs(published.store());
            assertThat(schemas).isSameAs(store.schemas());
            store.publish(fixtures.event("repository.push").build());
            assertThat(published.all()).hasSize(1);
        }
    }

    @ExtendWith(HeraldExtension.class)
    static class HandlerPublishesATypo {
        @Test
        void test(EventStore store, EventFixtures fixtures) {
            new PipelineStarter(store).start().publishing = "ci.pipline.created";
            store.publish(fixtures.event("repository.push").build());
            // No assertion on the pipeline: the test would pass, were it not for the extension.
        }
    }

    @ExtendWith(HeraldExtension.class)
    static class ExpectsTheRefusal {
        @Test
        void test(EventStore store) {
            assertThatThrownBy(() -> store.publish(EventBuilder.create().type("ci.pipline.created").source("/ci")
                    .data(Map.of()).build())).isInstanceOf(InvalidEventException.class);
            assertThatEvents(store).refused("ci.pipline.created");
        }
    }

    static class AllowsRefusals {
        @RegisterExtension
        static final HeraldExtension HERALD = new HeraldExtension().allowingRefusedPublishes();

        @Test
        void test(EventStore store, EventFixtures fixtures) {
            new PipelineStarter(store).start().publishing = "ci.pipline.created";
            store.publish(fixtures.event("repository.push").build());
        }
    }

    @ExtendWith(HeraldExtension.class)
    static class AsksInBeforeAll {
        @BeforeAll
        static void setUp(EventStore store) {
        }

        @Test
        void test() {
        }
    }

    static class OwnSchemas {
        @RegisterExtension
        static final HeraldExtension HERALD = HeraldExtension.withSchemas(() -> {
            SchemaRegistry schemas = SchemaRegistry.builtinCatalog();
            try {
                schemas.register("billing.invoice_sent", new ObjectMapper().readTree(
                        "{\"type\": \"object\", \"required\": [\"amount\"], \"examples\": [{\"amount\": 12}]}"),
                        Compatibility.BACKWARD);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return schemas;
        });

        @Test
        void test(EventStore store, EventFixtures fixtures) {
            store.publish(fixtures.event("billing.invoice_sent").build());
            assertThatEvents(store).published("billing.invoice_sent").withData("{\"amount\": 12}");
        }
    }
}
