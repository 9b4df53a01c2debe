package dev.herald.test;

import dev.herald.event.EventBuilder;
import dev.herald.event.EventData;
import dev.herald.event.HeraldAttributes;
import dev.herald.store.EventStore;
import dev.herald.store.SubscribeOptions;
import io.cloudevents.CloudEvent;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small subscriber for herald-test's own tests: every push to a branch starts a pipeline
 * ({@code ci.pipeline.created}). Deleting a branch (an all-zero {@code after}) starts none. With
 * {@link #failing} set it throws; with {@link #publishing} set it publishes that type instead.
 */
final class PipelineStarter {

    static final String SUBSCRIPTION = "ci.start_pipeline_on_push";

    private final EventStore store;
    private final AtomicInteger nextId = new AtomicInteger(100);
    volatile boolean failing;
    volatile String publishing = "ci.pipeline.created";

    PipelineStarter(EventStore store) {
        this.store = store;
    }

    PipelineStarter start() {
        store.subscribe(SUBSCRIPTION, this::onPush, SubscribeOptions.forTypes("repository.push")
                .where(push -> !EventData.json(push).orElseThrow().path("after").asText().matches("0+"))
                .orderedByKey()
                .maxAttempts(3));
        return this;
    }

    private void onPush(CloudEvent push) {
        if (failing) {
            throw new IllegalStateException("the CI runner is down");
        }
        int id = nextId.incrementAndGet();
        store.publish(EventBuilder.create(store.schemas()).type(publishing).source("https://ci.example.com")
                .subject("gid://gitlab/Ci::Pipeline/" + id)
                .project(HeraldAttributes.project(push).orElseThrow())
                .data(Map.of("pipeline_id", id))
                .build());
    }
}
