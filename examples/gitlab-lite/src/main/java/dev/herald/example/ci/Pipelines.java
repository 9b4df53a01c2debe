package dev.herald.example.ci;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.event.EventBuilder;
import dev.herald.event.EventData;
import dev.herald.event.HeraldAttributes;
import dev.herald.store.EventStore;
import dev.herald.store.SubscribeOptions;
import io.cloudevents.CloudEvent;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The CI domain: runs a pipeline for every branch push and announces {@code ci.pipeline.created}
 * and a fat {@code ci.pipeline.finished} (v2: with the ref, commit and the commits it tested).
 * A pipeline fails when a commit title starts with "WIP".
 */
public final class Pipelines {

    private static final String ZERO_SHA = "0".repeat(40);

    private final EventStore events;
    private final String baseUrl;
    private final AtomicInteger nextId = new AtomicInteger(1000);

    public Pipelines(EventStore events, String baseUrl) {
        this.events = events;
        this.baseUrl = baseUrl;
    }

    /** Subscribes to pushes: ordered per project, so one project's pipelines start in push order. */
    public void start() {
        events.subscribe("ci.run_pipeline_on_push", this::onPush, SubscribeOptions.forTypes("repository.push")
                .where(push -> !EventData.json(push).orElseThrow().path("after").asText().equals(ZERO_SHA))
                .orderedByKey());
    }

    private void onPush(CloudEvent push) {
        JsonNode data = EventData.json(push).orElseThrow();
        int pipelineId = nextId.incrementAndGet();
        String project = HeraldAttributes.project(push).orElseThrow();
        events.publish(pipelineEvent("ci.pipeline.created", pipelineId, project, Map.of("pipeline_id", pipelineId)));

        boolean wip = false;
        for (JsonNode commit : data.path("commits")) {
            wip |= commit.path("title").asText().startsWith("WIP");
        }
        Map<String, Object> finished = new LinkedHashMap<>();
        finished.put("pipeline_id", pipelineId);
        finished.put("status", wip ? "failed" : "success");
        finished.put("source", "push");
        finished.put("project_id", data.path("project_id").asInt());
        finished.put("ref", data.path("ref").asText());
        finished.put("sha", data.path("after").asText());
        finished.put("url", push.getSource() + "/-/pipelines/" + pipelineId);
        finished.put("user_id", data.path("user_id").asInt());
        finished.put("duration_seconds", 42.0);
        finished.put("commits", data.path("commits"));
        events.publish(pipelineEvent("ci.pipeline.finished", pipelineId, project, finished));
    }

    private CloudEvent pipelineEvent(String type, int pipelineId, String project, Map<String, Object> data) {
        return EventBuilder.create(events.schemas()).type(type).source(baseUrl + "/ci")
                .subject("gid://gitlab/Ci::Pipeline/" + pipelineId).project(project)
                .authType("system").data(data).build();
    }
}
