package dev.herald.test;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.herald.event.EventData;
import io.cloudevents.CloudEvent;
import java.util.Map;

/** JSON comparison for data assertions: exact, or "contains" for fat events where a test names a few fields. */
final class JsonMatch {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonMatch() {
    }

    static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + json + " (" + e.getOriginalMessage() + ")", e);
        }
    }

    /** The event's data as JSON; JSON null when it has none. */
    static JsonNode data(CloudEvent event) {
        return EventData.json(event).orElse(NullNode.getInstance());
    }

    /** Equal as JSON: same fields (in any order), equal arrays, numbers compared by value (1 equals 1.0). */
    static boolean equal(JsonNode actual, JsonNode expected) {
        return matches(actual, expected, true);
    }

    /**
     * Every field of {@code expected} is in {@code actual} with a matching value, recursively; arrays
     * match element by element and must have the same length.
     */
    static boolean contains(JsonNode actual, JsonNode expected) {
        return matches(actual, expected, false);
    }

    private static boolean matches(JsonNode actual, JsonNode expected, boolean exact) {
        if (expected.isObject()) {
            if (!actual.isObject() || (exact && actual.size() != expected.size())) {
                return false;
            }
            for (Map.Entry<String, JsonNode> field : expected.properties()) {
                JsonNode value = actual.get(field.getKey());
                if (value == null || !matches(value, field.getValue(), exact)) {
                    return false;
                }
            }
            return true;
        }
        if (expected.isArray()) {
            if (!actual.isArray() || actual.size() != expected.size()) {
                return false;
            }
            for (int i = 0; i < expected.size(); i++) {
                if (!matches(actual.get(i), expected.get(i), exact)) {
                    return false;
                }
            }
            return true;
        }
        if (expected.isNumber() && actual.isNumber()) {
            return expected.decimalValue().compareTo(actual.decimalValue()) == 0;
        }
        return expected.equals(actual);
    }
}
