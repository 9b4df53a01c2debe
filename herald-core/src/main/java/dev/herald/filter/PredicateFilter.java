package dev.herald.filter;

import com.fasterxml.jackson.databind.JsonNode;
import io.cloudevents.CloudEvent;
import java.util.function.Predicate;

/** A Java predicate: in-process only, so its JSON form says so instead of pretending to be portable. */
record PredicateFilter(Predicate<CloudEvent> predicate) implements Filter {

    @Override
    public boolean matches(CloudEvent event) {
        return predicate.test(event);
    }

    @Override
    public JsonNode toJson() {
        throw new UnsupportedOperationException("a Java predicate filter has no portable JSON form");
    }
}
