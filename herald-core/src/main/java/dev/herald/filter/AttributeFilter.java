package dev.herald.filter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cloudevents.CloudEvent;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiPredicate;

/**
 * The {@code exact}, {@code prefix} and {@code suffix} dialects: string comparisons of named
 * attributes (context attributes or extensions). An attribute the event lacks never matches.
 */
record AttributeFilter(Dialect dialect, Map<String, String> attributes) implements Filter {

    /** How an attribute's value is compared with the filter's value. */
    enum Dialect {
        EXACT(String::equals), PREFIX(String::startsWith), SUFFIX(String::endsWith);

        private final BiPredicate<String, String> test;

        Dialect(BiPredicate<String, String> test) {
            this.test = test;
        }

        String jsonName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    AttributeFilter {
        attributes = Map.copyOf(attributes);
        if (attributes.isEmpty()) {
            throw new InvalidFilterException(dialect.jsonName() + ": names no attribute");
        }
    }

    @Override
    public boolean matches(CloudEvent event) {
        for (Map.Entry<String, String> entry : attributes.entrySet()) {
            String actual = EventAttributes.asString(event, entry.getKey());
            if (actual == null || !dialect.test.test(actual, entry.getValue())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public JsonNode toJson() {
        ObjectNode values = FilterJson.MAPPER.createObjectNode();
        attributes.forEach(values::put);
        return FilterJson.MAPPER.createObjectNode().set(dialect.jsonName(), values);
    }
}
