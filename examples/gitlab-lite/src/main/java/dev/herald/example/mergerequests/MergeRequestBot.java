package dev.herald.example.mergerequests;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.event.EventBuilder;
import dev.herald.event.EventData;
import dev.herald.event.HeraldAttributes;
import dev.herald.store.EventStore;
import dev.herald.store.SubscribeOptions;
import io.cloudevents.CloudEvent;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The merge-requests domain: keeps the open merge requests per branch and approves one when a
 * pipeline for its branch succeeds, publishing {@code merge_requests.approved}.
 */
public final class MergeRequestBot {

    /** The bot's own user id, recorded as the approver. */
    public static final int BOT_USER_ID = 1;

    private final EventStore events;
    private final String baseUrl;
    private final Map<String, Integer> openByRef = new ConcurrentHashMap<>();

    public MergeRequestBot(EventStore events, String baseUrl) {
        this.events = events;
        this.baseUrl = baseUrl;
    }

    /** Opens a merge request for a branch (this domain's own state). */
    public void open(int mergeRequestId, String branch) {
        openByRef.put("refs/heads/" + branch, mergeRequestId);
    }

    /** Subscribes to finished pipelines whose status is success, with a CESQL filter on the type. */
    public void start() {
        events.subscribe("merge_requests.approve_on_green", this::onPipeline, SubscribeOptions.defaults()
                .filter(dev.herald.filter.Filter.sql("type = 'ci.pipeline.finished'"))
                .where(e -> EventData.json(e).orElseThrow().path("status").asText().equals("success")));
    }

    private void onPipeline(CloudEvent pipeline) {
        JsonNode data = EventData.json(pipeline).orElseThrow();
        Integer mergeRequest = openByRef.get(data.path("ref").asText());
        if (mergeRequest == null) {
            return;
        }
        events.publish(EventBuilder.create(events.schemas()).type("merge_requests.approved")
                .source(baseUrl + "/-/merge_requests").subject("gid://gitlab/MergeRequest/" + mergeRequest)
                .project(HeraldAttributes.project(pipeline).orElseThrow())
                .authType("system").authId("gid://gitlab/User/" + BOT_USER_ID)
                .data(Map.of("current_user_id", BOT_USER_ID, "merge_request_id", mergeRequest,
                        "approved_at", OffsetDateTime.now(ZoneOffset.UTC).toString()))
                .build());
    }
}
