package dev.herald.filter;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.transport.NativeFilter;
import io.cloudevents.CloudEvent;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Decides whether a subscription receives an event. The dialects are those of the CloudEvents
 * Subscriptions API ({@code exact}, {@code prefix}, {@code suffix}, {@code all}, {@code any},
 * {@code not}, {@code sql} = CESQL v1), plus Java predicates for in-process subscribers (what
 * GitLab's EventStore calls {@code if:}).
 *
 * <pre>{@code
 * Filter f = Filter.all(Filter.prefix("type", "ci."), Filter.sql("project = 'gid://gitlab/Project/1'"));
 * }</pre>
 */
public sealed interface Filter permits AttributeFilter, Composite, Not, SqlFilter, PredicateFilter, Filter.MatchAll {

    /** Whether the event passes. */
    boolean matches(CloudEvent event);

    /** Every event passes. */
    Filter ALL_EVENTS = new MatchAll();

    /** Every named attribute equals its value exactly (case-sensitive). */
    static Filter exact(Map<String, String> attributes) {
        return new AttributeFilter(AttributeFilter.Dialect.EXACT, attributes);
    }

    /** One attribute equals a value exactly. */
    static Filter exact(String attribute, String value) {
        return exact(Map.of(attribute, value));
    }

    /** One attribute starts with a prefix. */
    static Filter prefix(String attribute, String prefix) {
        return new AttributeFilter(AttributeFilter.Dialect.PREFIX, Map.of(attribute, prefix));
    }

    /** One attribute ends with a suffix. */
    static Filter suffix(String attribute, String suffix) {
        return new AttributeFilter(AttributeFilter.Dialect.SUFFIX, Map.of(attribute, suffix));
    }

    /** Every filter matches (an empty list matches everything). */
    static Filter all(Filter... filters) {
        return new Composite(true, List.of(filters));
    }

    /** At least one filter matches (an empty list matches nothing). */
    static Filter any(Filter... filters) {
        return new Composite(false, List.of(filters));
    }

    /** The filter does not match. */
    static Filter not(Filter filter) {
        return new Not(filter);
    }

    /**
     * A CESQL v1 expression, parsed now so that a bad expression fails at subscription time.
     *
     * @throws InvalidFilterException naming the position and the problem when it does not parse
     */
    static Filter sql(String expression) {
        return SqlFilter.parse(expression);
    }

    /** A Java predicate, for in-process subscribers; it cannot be stored or sent over the wire. */
    static Filter where(Predicate<CloudEvent> predicate) {
        return new PredicateFilter(predicate);
    }

    /**
     * Reads a filter in the Subscriptions API JSON form: one dialect object such as
     * {@code {"prefix": {"type": "ci."}}} or {@code {"sql": "…"}}, or an array of them (all must match).
     *
     * @throws InvalidFilterException naming the JSON path and the rule broken
     */
    static Filter fromJson(JsonNode json) {
        return fromJson(json, SqlLimits.NONE);
    }

    /**
     * Reads a filter from a client: as {@link #fromJson(JsonNode)}, refusing a {@code sql} expression
     * beyond the limits (length, nesting depth, {@code LIKE} wildcards).
     *
     * @throws InvalidFilterException naming the JSON path and the rule or limit broken
     */
    static Filter fromJson(JsonNode json, SqlLimits limits) {
        return new FilterJson(limits).read(json, "filters");
    }

    /** This filter in the Subscriptions API JSON form. */
    JsonNode toJson();

    /**
     * The part of this filter a broker can evaluate before delivery: it accepts every event this filter
     * accepts (and perhaps more), so the client still applies this filter to what the broker delivers.
     * {@link NativeFilter#ALL} when nothing can be evaluated natively.
     */
    default NativeFilter nativePart() {
        return NativePart.of(this);
    }

    /** See {@link #ALL_EVENTS}. */
    record MatchAll() implements Filter {
        @Override
        public boolean matches(CloudEvent event) {
            return true;
        }

        @Override
        public JsonNode toJson() {
            return FilterJson.MAPPER.createObjectNode().set("all", FilterJson.MAPPER.createArrayNode());
        }
    }
}
