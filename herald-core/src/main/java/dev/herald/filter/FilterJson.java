package dev.herald.filter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the Subscriptions API JSON form of filters, naming the JSON path of every mistake. */
final class FilterJson {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private final SqlLimits limits;

    FilterJson(SqlLimits limits) {
        this.limits = limits;
    }

    Filter read(JsonNode json, String path) {
        if (json == null || json.isNull()) {
            return Filter.ALL_EVENTS;
        }
        if (json.isArray()) {
            return new Composite(true, readList(json, path));
        }
        if (!json.isObject() || json.size() != 1) {
            throw new InvalidFilterException(path + ": a filter is an object with exactly one dialect "
                    + "(exact, prefix, suffix, all, any, not, sql)");
        }
        Map.Entry<String, JsonNode> dialect = json.fields().next();
        String at = path + "." + dialect.getKey();
        JsonNode value = dialect.getValue();
        return switch (dialect.getKey()) {
            case "exact" -> new AttributeFilter(AttributeFilter.Dialect.EXACT, attributes(value, at));
            case "prefix" -> new AttributeFilter(AttributeFilter.Dialect.PREFIX, attributes(value, at));
            case "suffix" -> new AttributeFilter(AttributeFilter.Dialect.SUFFIX, attributes(value, at));
            case "all" -> new Composite(true, readList(requireArray(value, at), at));
            case "any" -> new Composite(false, readList(requireArray(value, at), at));
            case "not" -> new Not(read(value, at));
            case "sql" -> {
                if (!value.isTextual()) {
                    throw new InvalidFilterException(at + ": must be a string holding a CESQL expression");
                }
                try {
                    yield SqlFilter.parse(value.asText(), limits);
                } catch (InvalidFilterException e) {
                    throw new InvalidFilterException(path + "." + e.getMessage(), e);
                }
            }
            default -> throw new InvalidFilterException(at + ": unknown dialect; use exact, prefix, suffix, "
                    + "all, any, not or sql");
        };
    }

    private static JsonNode requireArray(JsonNode value, String at) {
        if (!value.isArray()) {
            throw new InvalidFilterException(at + ": must be an array of filters");
        }
        return value;
    }

    private List<Filter> readList(JsonNode array, String path) {
        List<Filter> filters = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            filters.add(read(array.get(i), path + "[" + i + "]"));
        }
        return filters;
    }

    private static Map<String, String> attributes(JsonNode value, String at) {
        if (!value.isObject() || value.isEmpty()) {
            throw new InvalidFilterException(at + ": must be an object mapping attribute names to strings");
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (!entry.getValue().isTextual()) {
                throw new InvalidFilterException(at + "." + entry.getKey() + ": must be a string");
            }
            attributes.put(entry.getKey(), entry.getValue().asText());
        }
        return attributes;
    }
}
