package dev.herald.schema;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reading JSON Schema documents as data: keywords, types, values and local references. */
final class SchemaNodes {

    /** The schema that accepts everything. */
    static final JsonNode ANYTHING = BooleanNode.TRUE;

    /** Keywords that never change what validates. */
    private static final Set<String> ANNOTATIONS = Set.of("$schema", "$id", "$anchor", "$dynamicAnchor", "$comment",
            "$defs", "definitions", "$vocabulary", "title", "description", "default", "examples", "deprecated",
            "readOnly", "writeOnly");

    /** Equal as JSON values: {@code 1}, {@code 1.0} and {@code 1e0} are the same number. */
    private static final Comparator<JsonNode> JSON_EQUALITY = (a, b) -> a.isNumber() && b.isNumber()
            ? a.decimalValue().compareTo(b.decimalValue())
            : a.equals(b) ? 0 : 1;

    private SchemaNodes() {
    }

    static boolean sameValue(JsonNode a, JsonNode b) {
        return a.equals(JSON_EQUALITY, b);
    }

    /** Whether the schema has keywords that constrain data (anything but annotations). */
    static boolean hasConstraints(JsonNode schema) {
        for (Iterator<String> names = schema.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!ANNOTATIONS.contains(name) && !name.startsWith("x-")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The types the schema allows, in declared order: from {@code type}, else from the values of
     * {@code const}/{@code enum}; empty when any type is allowed.
     */
    static List<String> types(JsonNode schema) {
        JsonNode type = schema.get("type");
        List<String> types = new ArrayList<>();
        if (type != null) {
            if (type.isArray()) {
                type.forEach(t -> types.add(t.asText()));
            } else {
                types.add(type.asText());
            }
            return types;
        }
        values(schema).ifPresent(values -> values.stream().map(SchemaNodes::typeOf)
                .filter(t -> !types.contains(t)).forEach(types::add));
        return types;
    }

    /** Whether a schema allowing {@code types} (empty = any) accepts values of JSON type {@code type}. */
    static boolean accepts(List<String> types, String type) {
        return types.isEmpty() || types.contains(type) || ("integer".equals(type) && types.contains("number"));
    }

    /** Whether a schema allowing {@code types} (empty = any) may hold a value that is a {@code type}. */
    static boolean mayHold(List<String> types, String type) {
        return accepts(types, type) || ("number".equals(type) && types.contains("integer"));
    }

    /** The only values the schema allows ({@code const}, else {@code enum}), when it restricts them. */
    static Optional<List<JsonNode>> values(JsonNode schema) {
        if (schema.has("const")) {
            return Optional.of(List.of(schema.get("const")));
        }
        JsonNode values = schema.get("enum");
        if (values == null || !values.isArray()) {
            return Optional.empty();
        }
        List<JsonNode> list = new ArrayList<>();
        values.forEach(list::add);
        return Optional.of(list);
    }

    /** JSON Schema's type name for a value; a number with no fraction is an {@code integer}. */
    static String typeOf(JsonNode value) {
        return switch (value.getNodeType()) {
            case NULL, MISSING -> "null";
            case BOOLEAN -> "boolean";
            case OBJECT, POJO -> "object";
            case ARRAY -> "array";
            case STRING, BINARY -> "string";
            case NUMBER -> value.canConvertToExactIntegral() ? "integer" : "number";
        };
    }

    /** A value as reasons show it: {@code 'text'} for strings, JSON otherwise. */
    static String show(JsonNode value) {
        return value.isTextual() ? "'" + value.asText() + "'" : value.toString();
    }

    /**
     * The target of a local reference ({@code #}, {@code #/$defs/x}) within {@code root}, with its pointer;
     * empty for references to other documents or to anchors, which cannot be followed here.
     */
    static Optional<Located> resolve(JsonNode root, String ref) {
        if (!ref.startsWith("#")) {
            return Optional.empty();
        }
        String pointer = URLDecoder.decode(ref.substring(1), StandardCharsets.UTF_8);
        if (!pointer.isEmpty() && !pointer.startsWith("/")) {
            return Optional.empty();
        }
        JsonNode target = root.at(JsonPointer.compile(pointer));
        return target.isMissingNode() ? Optional.empty() : Optional.of(new Located(target, pointer));
    }

    /**
     * {@code base} with {@code overlay}'s keywords added: {@code properties} and {@code required} are
     * united, any other keyword in both takes the overlay's value. Used only on the writer's side, where
     * dropping one of two conflicting constraints makes the writer look more permissive: the check stays
     * on the safe side.
     */
    static ObjectNode merge(JsonNode base, JsonNode overlay) {
        ObjectNode merged = JsonNodeFactory.instance.objectNode();
        if (base.isObject()) {
            merged.setAll((ObjectNode) base);
        }
        if (!overlay.isObject()) {
            return merged;
        }
        for (Map.Entry<String, JsonNode> field : overlay.properties()) {
            JsonNode existing = merged.get(field.getKey());
            JsonNode value = field.getValue();
            if ("properties".equals(field.getKey()) && existing != null && existing.isObject() && value.isObject()) {
                ObjectNode properties = JsonNodeFactory.instance.objectNode();
                properties.setAll((ObjectNode) existing);
                properties.setAll((ObjectNode) value);
                merged.set("properties", properties);
            } else if ("required".equals(field.getKey()) && existing != null && existing.isArray() && value.isArray()) {
                Set<JsonNode> names = new LinkedHashSet<>();
                existing.forEach(names::add);
                value.forEach(names::add);
                merged.set("required", JsonNodeFactory.instance.arrayNode().addAll(names));
            } else {
                merged.set(field.getKey(), value);
            }
        }
        return merged;
    }

    /** {@code schema} without {@code keyword}, sharing the rest. */
    static ObjectNode without(JsonNode schema, String keyword) {
        ObjectNode copy = JsonNodeFactory.instance.objectNode();
        copy.setAll((ObjectNode) schema);
        copy.remove(keyword);
        return copy;
    }

    /** A schema node and its JSON pointer within its document. */
    record Located(JsonNode schema, String pointer) {

        /** The node at {@code tokens} below this one (missing when absent), with its pointer. */
        Located sub(String... tokens) {
            JsonNode node = schema;
            String at = pointer;
            for (String token : tokens) {
                node = node.isArray() ? node.path(Integer.parseInt(token)) : node.path(token);
                at = JsonPointers.append(at, token);
            }
            return new Located(node, at);
        }
    }
}
