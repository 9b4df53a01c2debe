package dev.herald.server.subscriptions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.event.EventBuilder;
import dev.herald.schema.SchemaRegistry;
import io.cloudevents.CloudEvent;

/** Valid events of the shipped catalog. */
public final class TestEvents {

    public static final SchemaRegistry SCHEMAS = SchemaRegistry.builtinCatalog();
    public static final String PIPELINE_CREATED = "ci.pipeline.created";
    public static final String PIPELINE_FINISHED = "ci.pipeline.finished";
    public static final String PUSH = "repository.push";
    public static final String FINDING = "vulnerabilities.new_finding";

    private TestEvents() {
    }

    /** An event of the type with its schema's first example as data. */
    public static CloudEvent of(String type) {
        return builder(type).build();
    }

    /** An event of the type in a project. */
    public static CloudEvent of(String type, String project) {
        return builder(type).project(project).build();
    }

    /** An event without a dataschema (a server fills in its own schema URI), in a project. */
    public static CloudEvent withoutSchema(String type, String project) {
        JsonNode example = SCHEMAS.latest(type).orElseThrow().examples().getFirst();
        return EventBuilder.create().type(type).source("https://gitlab.example.com/group/app")
                .subject("gid://gitlab/Thing/1").project(project).data(example).build();
    }

    public static EventBuilder builder(String type) {
        JsonNode example = SCHEMAS.latest(type).orElseThrow().examples().getFirst();
        return EventBuilder.create(SCHEMAS).type(type).source("https://gitlab.example.com/group/app")
                .subject("gid://gitlab/Thing/1").data(example);
    }
}
