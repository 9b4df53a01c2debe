package dev.herald.test.readme.app.ci;

import dev.herald.event.EventBuilder;
import dev.herald.store.EventStore;
import io.cloudevents.CloudEvent;
import java.util.List;
import java.util.Map;

/** The CI domain of the README's sample application. */
public final class Pipelines {

    private final EventStore store;

    public Pipelines(EventStore store) {
        this.store = store;
    }

    /** Announces a finished pipeline with the files its commit added. */
    public CloudEvent finish(int pipelineId, String status, List<String> addedFiles) {
        return store.publish(EventBuilder.create(store.schemas())
                .type("ci.pipeline.finished")
                .source("https://gitlab.example.com/ci")
                .project("gid://gitlab/Project/1")
                .data(Map.of("pipeline_id", pipelineId, "status", status,
                        "commits", List.of(Map.of("id", "a".repeat(40), "title", "Change", "added", addedFiles))))
                .build());
    }
}
