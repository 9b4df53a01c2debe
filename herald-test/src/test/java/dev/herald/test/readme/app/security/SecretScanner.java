package dev.herald.test.readme.app.security;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.dispatch.EventHandler;
import dev.herald.event.EventBuilder;
import dev.herald.event.EventData;
import dev.herald.event.HeraldAttributes;
import dev.herald.store.EventStore;
import dev.herald.store.SubscribeOptions;
import io.cloudevents.CloudEvent;
import java.util.List;
import java.util.Map;

/** The security domain of the README's sample application. */
public final class SecretScanner implements EventHandler {

    private final EventStore store;

    public SecretScanner(EventStore store) {
        this.store = store;
    }

    public void start() {
        store.subscribe("security.scan_green_pipelines", this, SubscribeOptions.forTypes("ci.pipeline.finished")
                .where(e -> EventData.json(e).orElseThrow().path("status").asText().equals("success")));
    }

    /** Reports every added {@code .env} file of a green pipeline, straight from the fat event. */
    @Override
    public void handle(CloudEvent pipeline) {
        for (JsonNode commit : EventData.json(pipeline).orElseThrow().path("commits")) {
            for (JsonNode file : commit.path("added")) {
                if (file.asText().endsWith(".env")) {
                    store.publish(EventBuilder.create(store.schemas())
                            .type("vulnerabilities.new_finding")
                            .source("https://gitlab.example.com/security")
                            .project(HeraldAttributes.project(pipeline).orElseThrow())
                            .data(Map.of("url", "https://gitlab.example.com/security/1",
                                    "title", "Secret committed in " + file.asText(), "state", "detected",
                                    "severity", "high", "report_type", "secret_detection",
                                    "identifiers", List.of(Map.of("name", "Gitleaks generic-secret",
                                            "external_type", "gitleaks_rule_id", "external_id", "generic-secret"))))
                            .build());
                }
            }
        }
    }
}
