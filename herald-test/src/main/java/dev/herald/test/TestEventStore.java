package dev.herald.test;

import dev.herald.schema.SchemaRegistry;
import dev.herald.store.EventStore;
import dev.herald.store.TopicRouter;
import dev.herald.transport.memory.InMemoryTransport;
import java.time.Duration;
import java.util.Objects;

/**
 * Makes {@link EventStore}s for tests: the real store, validating against a real schema registry, on
 * the in-memory transport, recording everything published ({@link PublishedEvents#of}).
 *
 * <pre>{@code
 * try (EventStore store = TestEventStore.create(SchemaRegistry.builtinCatalog())) {
 *     new Pipelines(store, "https://gitlab.example.com").start();
 *     ...
 *     assertThatEvents(store).published("ci.pipeline.created");
 * }
 * }</pre>
 *
 * {@link HeraldExtension} does this for every test and closes the store afterwards.
 */
public final class TestEventStore {

    /** How long closing waits for running handlers: short, since a test is waiting. */
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);

    private TestEventStore() {
    }

    /** A recording store validating against {@code schemas}, everything on one topic. */
    public static EventStore create(SchemaRegistry schemas) {
        return create(schemas, TopicRouter.single(TopicRouter.DEFAULT_TOPIC));
    }

    /** A recording store validating against {@code schemas}, routing types to topics with {@code router}. */
    public static EventStore create(SchemaRegistry schemas, TopicRouter router) {
        Objects.requireNonNull(schemas, "schemas");
        Objects.requireNonNull(router, "router");
        RecordingTransport transport = new RecordingTransport(new InMemoryTransport());
        EventStore store = EventStore.builder(transport, schemas)
                .router(new RecordingRouter(router, transport.recording()))
                .drainTimeout(DRAIN_TIMEOUT)
                .build();
        transport.recording().attach(store);
        return store;
    }
}
