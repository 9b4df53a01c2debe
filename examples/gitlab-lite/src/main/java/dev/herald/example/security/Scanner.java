package dev.herald.example.security;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.event.EventBuilder;
import dev.herald.event.EventData;
import dev.herald.event.HeraldAttributes;
import dev.herald.store.EventStore;
import dev.herald.store.SubscribeOptions;
import io.cloudevents.CloudEvent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The security domain: scans the commits of every successful pipeline — straight from the fat
 * {@code ci.pipeline.finished} event, no call back to CI — and publishes a
 * {@code vulnerabilities.new_finding} for each file that looks like it holds a secret.
 */
public final class Scanner {

    private final EventStore events;
    private final String baseUrl;
    private final AtomicInteger nextId = new AtomicInteger(540);

    public Scanner(EventStore events, String baseUrl) {
        this.events = events;
        this.baseUrl = baseUrl;
    }

    /** Subscribes to successful pipelines (a CESQL filter on the type, a Java condition on the data). */
    public void start() {
        events.subscribe("security.scan_finished_pipeline", this::scan, SubscribeOptions.forTypes("ci.pipeline.finished")
                .where(e -> EventData.json(e).orElseThrow().path("status").asText().equals("success"))
                .maxAttempts(10));
    }

    private void scan(CloudEvent pipeline) {
        JsonNode data = EventData.json(pipeline).orElseThrow();
        for (JsonNode commit : data.path("commits")) {
            for (JsonNode file : concat(commit.path("added"), commit.path("modified"))) {
                if (file.asText().matches("(?i).*(\\.env|secret|password|id_rsa).*")) {
                    events.publish(finding(pipeline, file.asText()));
                }
            }
        }
    }

    private CloudEvent finding(CloudEvent pipeline, String file) {
        int id = nextId.incrementAndGet();
        String project = HeraldAttributes.project(pipeline).orElseThrow();
        String url = baseUrl + "/-/security/vulnerabilities/" + id;
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("url", url);
        data.put("title", "Secret committed in " + file);
        data.put("state", "detected");
        data.put("severity", "high");
        data.put("severity_overridden", false);
        data.put("identifiers", List.of(Map.of("name", "Gitleaks rule generic-secret", "external_type", "gitleaks_rule_id",
                "external_id", "generic-secret", "url", url)));
        data.put("report_type", "secret_detection");
        data.put("confidence", "high");
        data.put("confidence_overridden", false);
        data.put("dismissed_at", null);
        data.put("dismissed_by_id", null);
        return EventBuilder.create(events.schemas()).type("vulnerabilities.new_finding")
                .source(baseUrl + "/-/security/vulnerabilities").subject("gid://gitlab/Vulnerability/" + id)
                .project(project).authType("system").data(data).build();
    }

    private static List<JsonNode> concat(JsonNode first, JsonNode second) {
        List<JsonNode> all = new java.util.ArrayList<>();
        first.forEach(all::add);
        second.forEach(all::add);
        return all;
    }
}
