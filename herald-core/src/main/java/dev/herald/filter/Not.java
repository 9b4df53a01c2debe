package dev.herald.filter;

import com.fasterxml.jackson.databind.JsonNode;
import io.cloudevents.CloudEvent;

/** The {@code not} dialect. */
record Not(Filter filter) implements Filter {

    @Override
    public boolean matches(CloudEvent event) {
        return !filter.matches(event);
    }

    @Override
    public JsonNode toJson() {
        return FilterJson.MAPPER.createObjectNode().set("not", filter.toJson());
    }
}
