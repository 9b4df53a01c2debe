package dev.herald.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.cloudevents.CloudEvent;
import io.cloudevents.CloudEventData;
import io.cloudevents.jackson.JsonCloudEventData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Reads an event's {@code data} as JSON, whichever form the SDK holds it in (a parsed
 * {@link JsonCloudEventData} after structured-mode parsing, raw bytes after binary-mode parsing).
 */
public final class EventData {

    static final ObjectMapper MAPPER = new ObjectMapper();
    /**
     * Binding ignores unknown fields: a consumer written against version n of a schema must keep
     * working when a producer adds optional fields in version n+1 (backward compatibility).
     */
    private static final ObjectReader BINDER = MAPPER.reader().without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private EventData() {
    }

    /**
     * The data as a JSON tree; empty when the event has no data.
     *
     * @throws InvalidEventException when the data is not well-formed JSON
     */
    public static Optional<JsonNode> json(CloudEvent event) {
        CloudEventData data = event.getData();
        if (data == null) {
            return Optional.empty();
        }
        if (data instanceof JsonCloudEventData json) {
            return Optional.of(json.getNode());
        }
        try {
            return Optional.of(MAPPER.readTree(data.toBytes()));
        } catch (IOException e) {
            throw new InvalidEventException(List.of(
                    new Violation("data", "must be well-formed JSON: " + firstLine(e), new String(data.toBytes(),
                            StandardCharsets.UTF_8))));
        }
    }

    /**
     * The data bound to a Java type (a record, typically) with Jackson.
     *
     * @throws InvalidEventException when the event has no data or it does not fit the type
     */
    public static <T> T as(CloudEvent event, Class<T> type) {
        JsonNode node = json(event).orElseThrow(() -> new InvalidEventException(
                List.of(Violation.missing("data", "is required to bind to " + type.getSimpleName()))));
        try {
            return BINDER.treeToValue(node, type);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException(List.of(
                    new Violation("data", "does not bind to " + type.getSimpleName() + ": " + firstLine(e), null)));
        }
    }

    /** Wraps a JSON tree as event data without re-serialising it. */
    public static CloudEventData of(JsonNode node) {
        return JsonCloudEventData.wrap(node);
    }

    /** Jackson messages carry a source excerpt after the first line; the first line says what is wrong. */
    static String firstLine(Exception e) {
        String message = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
        if (message == null) {
            return e.getClass().getSimpleName();
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
