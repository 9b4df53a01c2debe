package dev.herald.test;

import dev.herald.schema.SchemaRegistry;
import dev.herald.store.EventStore;
import dev.herald.store.TopicRouter;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives each test its own {@link EventStore}: the real store and schema registry, on the in-memory
 * transport, recording everything published. Ask for it as a parameter of the test, of a
 * {@code @BeforeEach} method or of the test class's constructor; in one test they all get the same
 * store. {@link EventFixtures}, {@link PublishedEvents} and {@link SchemaRegistry} parameters are the
 * store's too.
 *
 * <pre>{@code
 * @ExtendWith(HeraldExtension.class)                 // Herald's built-in catalog
 * class PipelinesTest {
 *     @Test
 *     void aPushStartsAPipeline(EventStore store, EventFixtures fixtures) { ... }
 * }
 *
 * class MyTest {                                     // your own schema directory
 *     @RegisterExtension
 *     static final HeraldExtension HERALD = HeraldExtension.withSchemas(() -> SchemaRegistry.load(Path.of("schemas")));
 * }
 * }</pre>
 *
 * <p>After each test the extension lets every subscription take what was published (up to
 * {@link HeraldAssertions#SETTLE_TIMEOUT}; retries still to come are not waited for), closes the store
 * (running handlers get 5 s to finish), and fails the test if the store refused a publish the test did
 * not declare expected with {@link EventsAssert#refused(String)}. Inside a handler, a refused publish —
 * an event type without a schema, data its schema rejects — otherwise shows up only as retries, and
 * that a test did not wait for the handler does not hide it.
 */
public final class HeraldExtension implements AfterEachCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(HeraldExtension.class);
    private static final Set<Class<?>> PROVIDED =
            Set.of(EventStore.class, EventFixtures.class, PublishedEvents.class, SchemaRegistry.class);

    private final Supplier<SchemaRegistry> schemas;
    private final TopicRouter router;
    private final boolean failOnRefusedPublishes;

    /** Stores on Herald's built-in catalog ({@link SchemaRegistry#builtinCatalog()}), one topic. */
    public HeraldExtension() {
        this(SchemaRegistry::builtinCatalog, TopicRouter.single(TopicRouter.DEFAULT_TOPIC), true);
    }

    private HeraldExtension(Supplier<SchemaRegistry> schemas, TopicRouter router, boolean failOnRefusedPublishes) {
        this.schemas = Objects.requireNonNull(schemas, "schemas");
        this.router = Objects.requireNonNull(router, "router");
        this.failOnRefusedPublishes = failOnRefusedPublishes;
    }

    /** Stores validating against the registry {@code schemas} supplies; called once per test, for isolation. */
    public static HeraldExtension withSchemas(Supplier<SchemaRegistry> schemas) {
        return new HeraldExtension(schemas, TopicRouter.single(TopicRouter.DEFAULT_TOPIC), true);
    }

    /** This extension, with types routed to topics by {@code topicRouter}. */
    public HeraldExtension withRouter(TopicRouter topicRouter) {
        return new HeraldExtension(schemas, topicRouter, failOnRefusedPublishes);
    }

    /** This extension, not failing tests for refused publishes (they still show in assertion failures). */
    public HeraldExtension allowingRefusedPublishes() {
        return new HeraldExtension(schemas, router, false);
    }

    /** Constructor parameters resolve per test method, so a test instance and its test share one store. */
    @Override
    public ExtensionContextScope getTestInstantiationExtensionContextScope(ExtensionContext rootContext) {
        return ExtensionContextScope.TEST_METHOD;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return PROVIDED.contains(parameter.getParameter().getType());
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        if (context.getTestMethod().isEmpty()) {
            throw new ParameterResolutionException("HeraldExtension gives each test its own EventStore: ask for it in "
                    + "a test, a @BeforeEach method or the constructor, not in " + parameter.getDeclaringExecutable());
        }
        TestStore test = context.getStore(NAMESPACE).computeIfAbsent(TestStore.class,
                key -> new TestStore(TestEventStore.create(schemas.get(), router)), TestStore.class);
        Class<?> type = parameter.getParameter().getType();
        if (type == EventStore.class) {
            return test.store();
        }
        if (type == EventFixtures.class) {
            return EventFixtures.of(test.store());
        }
        if (type == PublishedEvents.class) {
            return PublishedEvents.of(test.store());
        }
        return test.store().schemas();
    }

    /**
     * Lets every handler see what was published, then closes the store (letting running handlers finish)
     * before it counts refusals: a test need not wait for a handler for its refused publish to count.
     */
    @Override
    public void afterEach(ExtensionContext context) {
        TestStore test = context.getStore(NAMESPACE).remove(TestStore.class, TestStore.class);
        if (test == null) {
            return;
        }
        // Not settling: retries still to come are not waited for. Slow handlers only delay the check.
        PublishedEvents.of(test.store()).awaitFirstAttempts(HeraldAssertions.SETTLE_TIMEOUT);
        test.close();
        List<RefusedPublish> refused = PublishedEvents.of(test.store()).unexpectedRefusals();
        if (failOnRefusedPublishes && !refused.isEmpty()) {
            throw new AssertionError("the event store refused " + refused.size() + " publish(es) during this test:\n"
                    + PublishedEvents.of(test.store()).refusalReport(refused)
                    + "\nA handler's refused publish only shows up as retries. If the test expects a refusal, "
                    + "assert it with assertThatEvents(store).refused(type); to allow refusals in every test, "
                    + "register HeraldExtension.allowingRefusedPublishes().");
        }
    }

    /** One test's store; closed by JUnit with the test's context if {@link #afterEach} did not run. */
    private record TestStore(EventStore store) implements AutoCloseable {
        @Override
        public void close() {
            store.close();
        }
    }
}
