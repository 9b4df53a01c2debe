package dev.herald.transport.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.transport.NativeFilter;
import dev.herald.transport.TransportException;
import java.util.ArrayList;
import java.util.List;

/**
 * A subscription's {@link NativeFilter} as stored in {@code subscriptions.native_filter}: a JSON tree,
 * {@code {"exact": ["type", "ci.job"]}}, {@code {"prefix": ["subject", "a/"]}}, {@code {"all": [...]}},
 * {@code {"any": [...]}}, {@code {"not": {...}}}; SQL NULL for {@link NativeFilter#ALL}. The column is
 * {@code text}, not {@code jsonb}: jsonb refuses the escaped NUL character a value may hold, text holds it
 * escaped. Each poll reads the stored filter and compiles it ({@link SqlFilter}), so an update applies to
 * the next pull in every process.
 */
final class StoredFilter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private StoredFilter() {
    }

    /** The column's value for {@code filter}: null when it accepts everything. */
    static String write(NativeFilter filter) {
        return filter.isAll() ? null : tree(filter).toString();
    }

    /** The filter a column value holds; {@link NativeFilter#ALL} for null. */
    static NativeFilter read(String stored) {
        if (stored == null) {
            return NativeFilter.ALL;
        }
        try {
            return filter(JSON.readTree(stored));
        } catch (JsonProcessingException | RuntimeException e) {
            throw new TransportException("unreadable stored native filter " + stored + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode tree(NativeFilter filter) {
        ObjectNode node = JSON.createObjectNode();
        switch (filter) {
            case NativeFilter.Exact exact -> node.putArray("exact").add(exact.attribute()).add(exact.value());
            case NativeFilter.Prefix prefix -> node.putArray("prefix").add(prefix.attribute()).add(prefix.prefix());
            case NativeFilter.All all -> list(node.putArray("all"), all.filters());
            case NativeFilter.Any any -> list(node.putArray("any"), any.filters());
            case NativeFilter.Not not -> node.set("not", tree(not.filter()));
        }
        return node;
    }

    private static void list(ArrayNode array, List<NativeFilter> filters) {
        filters.forEach(f -> array.add(tree(f)));
    }

    private static NativeFilter filter(JsonNode node) {
        if (node == null || !node.isObject() || node.size() != 1) {
            throw new IllegalArgumentException("expected an object with one operator");
        }
        String operator = node.fieldNames().next();
        JsonNode operand = node.get(operator);
        return switch (operator) {
            case "exact" -> new NativeFilter.Exact(text(operand, 0), text(operand, 1));
            case "prefix" -> new NativeFilter.Prefix(text(operand, 0), text(operand, 1));
            case "all" -> new NativeFilter.All(filters(operand));
            case "any" -> new NativeFilter.Any(filters(operand));
            case "not" -> new NativeFilter.Not(filter(operand));
            default -> throw new IllegalArgumentException("unknown operator " + operator);
        };
    }

    private static List<NativeFilter> filters(JsonNode array) {
        if (!array.isArray()) {
            throw new IllegalArgumentException("expected an array of filters");
        }
        List<NativeFilter> filters = new ArrayList<>(array.size());
        array.forEach(element -> filters.add(filter(element)));
        return filters;
    }

    private static String text(JsonNode pair, int index) {
        JsonNode value = pair.get(index);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("expected [attribute, value] strings");
        }
        return value.textValue();
    }
}
