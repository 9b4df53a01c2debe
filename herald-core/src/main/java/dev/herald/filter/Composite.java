package dev.herald.filter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.cloudevents.CloudEvent;
import java.util.List;

/** The {@code all} (every one matches) and {@code any} (at least one matches) dialects. */
record Composite(boolean all, List<Filter> filters) implements Filter {

    Composite {
        filters = List.copyOf(filters);
    }

    @Override
    public boolean matches(CloudEvent event) {
        if (all) {
            return filters.stream().allMatch(f -> f.matches(event));
        }
        return filters.stream().anyMatch(f -> f.matches(event));
    }

    @Override
    public JsonNode toJson() {
        ArrayNode array = FilterJson.MAPPER.createArrayNode();
        filters.forEach(f -> array.add(f.toJson()));
        return FilterJson.MAPPER.createObjectNode().set(all ? "all" : "any", array);
    }
}
