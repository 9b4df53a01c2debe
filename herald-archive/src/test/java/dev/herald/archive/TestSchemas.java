package dev.herald.archive;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.schema.SchemaRegistry;
import dev.herald.store.TopicRouter;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.Transport;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Five test types t.0 … t.4 with scalar, date-time, closed-object, open-object and array properties. */
final class TestSchemas {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCHEMA = """
            {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
             "properties": {
               "n": {"type": "integer"}, "score": {"type": "number"}, "ok": {"type": "boolean"},
               "label": {"type": "string"}, "at": {"type": "string", "format": "date-time"},
               "user": {"type": "object", "additionalProperties": false,
                        "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                       "email": {"type": "string"}}},
               "meta": {"type": "object"},
               "tags": {"type": "array", "items": {"type": "string"}}}}
            """;

    private TestSchemas() {
    }

    static SchemaRegistry registry(Path dir) throws IOException {
        for (int t = 0; t < RoundTripTest.TYPES; t++) {
            Path typeDir = Files.createDirectories(dir.resolve("t." + t));
            Files.writeString(typeDir.resolve("v1.json"), SCHEMA);
        }
        return SchemaRegistry.load(dir);
    }

    /** Publishes events spread over three days, in batches; returns them by id. */
    static Map<String, CloudEvent> publish(Transport transport, SchemaRegistry schemas, int count) {
        Map<String, CloudEvent> all = new LinkedHashMap<>();
        OffsetDateTime start = OffsetDateTime.of(2026, 11, 1, 0, 0, 0, 0, ZoneOffset.UTC);
        List<CloudEvent> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String type = "t." + (i % RoundTripTest.TYPES);
            ObjectNode data = JSON.createObjectNode().put("n", i).put("score", i / 7.0).put("ok", i % 3 == 0)
                    .put("label", "label-" + i).put("at", start.plusSeconds(i).toString());
            data.putObject("user").put("id", i % 97).put("name", "user " + (i % 97))
                    .put("email", "user" + (i % 97) + "@example.com");
            data.putObject("meta").put("k", i);
            data.putArray("tags").add("a").add("b");
            CloudEvent event = CloudEventBuilder.v1().withId(UUID.randomUUID().toString())
                    .withSource(URI.create("https://gitlab.example.com/p" + (i % 4))).withType(type)
                    .withSubject("gid://gitlab/Thing/" + i)
                    .withTime(start.plusSeconds(i * 2L))
                    .withDataSchema(schemas.currentSchema(type).orElseThrow())
                    .withExtension("project", "gid://gitlab/Project/" + (i % 4))
                    .withExtension("authtype", "app_user").withExtension("authid", "gid://gitlab/User/" + (i % 97))
                    .withData("application/json", data.toString().getBytes(StandardCharsets.UTF_8)).build();
            all.put(event.getId(), event);
            batch.add(event);
            if (batch.size() == 1000) {
                transport.publish(TopicRouter.DEFAULT_TOPIC, EncodedEvent.all(batch));
                batch = new ArrayList<>();
            }
        }
        if (!batch.isEmpty()) {
            transport.publish(TopicRouter.DEFAULT_TOPIC, EncodedEvent.all(batch));
        }
        return all;
    }
}
