package dev.herald.schema;

import static dev.herald.schema.SchemaNodes.accepts;
import static dev.herald.schema.SchemaNodes.mayHold;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.herald.schema.SchemaNodes.Located;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One reader-versus-writer comparison for {@link CompatibilityChecker}: walks both documents together
 * through sub-schemas, local references and combinators, and collects what the reader demands beyond the
 * writer. Single use, not thread-safe.
 */
final class SchemaComparison {

    /** Guards against runaway recursion that cycle detection cannot see (merged writer nodes). */
    private static final int MAX_DEPTH = 64;
    private static final int MAX_REFERENCE_HOPS = 32;
    private static final JsonNode EMPTY = JsonNodeFactory.instance.objectNode();

    private final JsonNode readerRoot;
    private final JsonNode writerRoot;
    /** Reader/writer pairs being compared further up: meeting one again is a cycle through {@code $ref}. */
    private final Set<Pair> inProgress = new HashSet<>();
    private List<Incompatibility> found = new ArrayList<>();

    SchemaComparison(JsonNode reader, JsonNode writer) {
        this.readerRoot = reader;
        this.writerRoot = writer;
    }

    List<Incompatibility> run() {
        compare(new Located(readerRoot, ""), writerRoot, 0);
        // A definition reached through several references would otherwise report the same thing each time.
        return List.copyOf(new LinkedHashSet<>(found));
    }

    private void compare(Located reader, JsonNode writerNode, int depth) {
        if (depth > MAX_DEPTH) {
            report(reader, "too deeply nested to compare");
            return;
        }
        JsonNode writer = followReferences(writerNode);
        JsonNode schema = reader.schema();
        if (isFalse(writer) || !(schema.isObject() || isFalse(schema))) {
            return; // the writer writes nothing here, or the reader accepts anything (true or absent)
        }
        if (isFalse(schema)) {
            report(reader, "no value is accepted (schema is false)");
            return;
        }
        if (!writer.isObject()) {
            writer = EMPTY;
        }
        if (expandWriter(reader, writer, depth)) {
            return;
        }
        Pair pair = new Pair(schema, writer);
        if (!inProgress.add(pair)) {
            return; // a cycle: assume compatible here, the first visit reports whatever differs
        }
        try {
            readerReference(reader, writerNode, writer, depth);
            for (int i = 0; i < schema.path("allOf").size(); i++) {
                compare(reader.sub("allOf", String.valueOf(i)), writer, depth + 1);
            }
            alternatives(reader, "anyOf", writer, depth);
            alternatives(reader, "oneOf", writer, depth);
            KeywordRules.compare(schema, writer, reason -> report(reader, reason));
            List<String> writerTypes = SchemaNodes.types(writer);
            List<String> readerTypes = SchemaNodes.types(schema);
            if (mayHold(writerTypes, "array") && accepts(readerTypes, "array")) {
                items(reader, writer, depth);
            }
            if (mayHold(writerTypes, "object") && accepts(readerTypes, "object")) {
                properties(reader, writer, depth);
            }
        } finally {
            inProgress.remove(pair);
        }
    }

    /**
     * Replaces a writer's local {@code $ref} by its target (plus any constraints written beside it). A
     * reference that cannot be followed leaves only the constraints beside it: the writer then looks
     * more permissive than it is, which errs on the safe side.
     */
    private JsonNode followReferences(JsonNode node) {
        for (int hops = 0; node.isObject() && node.has("$ref") && hops < MAX_REFERENCE_HOPS; hops++) {
            JsonNode besides = SchemaNodes.without(node, "$ref");
            Optional<Located> target = SchemaNodes.resolve(writerRoot, node.get("$ref").asText());
            if (target.isEmpty()) {
                return besides;
            }
            // Without constraints beside it, use the target itself: its identity is what detects cycles.
            node = SchemaNodes.hasConstraints(besides) ? SchemaNodes.merge(target.get().schema(), besides)
                    : target.get().schema();
        }
        return node;
    }

    /**
     * A writer with alternatives writes any one of them: each must be readable on its own. A writer with
     * {@code allOf} writes what all its branches allow together, compared as one merged schema.
     *
     * @return whether the writer was expanded (and so compared already)
     */
    private boolean expandWriter(Located reader, JsonNode writer, int depth) {
        for (String keyword : List.of("anyOf", "oneOf")) {
            JsonNode branches = writer.get(keyword);
            if (branches != null && branches.isArray()) {
                JsonNode besides = SchemaNodes.without(writer, keyword);
                boolean constrained = SchemaNodes.hasConstraints(besides);
                for (JsonNode branch : branches) {
                    compare(reader, constrained ? SchemaNodes.merge(besides, followReferences(branch)) : branch, depth + 1);
                }
                return true;
            }
        }
        JsonNode branches = writer.get("allOf");
        if (branches != null && branches.isArray()) {
            JsonNode merged = SchemaNodes.without(writer, "allOf");
            for (JsonNode branch : branches) {
                merged = SchemaNodes.merge(merged, followReferences(branch));
            }
            compare(reader, merged, depth + 1);
            return true;
        }
        return false;
    }

    private void readerReference(Located reader, JsonNode writerNode, JsonNode writer, int depth) {
        JsonNode ref = reader.schema().get("$ref");
        if (ref == null) {
            return;
        }
        Optional<Located> target = SchemaNodes.resolve(readerRoot, ref.asText());
        if (target.isPresent()) {
            compare(target.get(), writer, depth + 1);
        } else if (!ref.equals(writerNode.get("$ref"))) {
            report(reader, "$ref " + ref.asText() + " cannot be followed, so compatibility cannot be shown");
        }
    }

    /**
     * The reader accepts the writer if one of its alternatives does. A writer allowing several types
     * writes one of them at a time, so each type may fit a different alternative ({@code ["string", "null"]}
     * against {@code anyOf: [{type: string}, {type: null}]}). When no alternative fits, the reasons of the
     * closest one (fewest reasons) are reported: usually the one the writer's schema evolved from.
     */
    private void alternatives(Located reader, String keyword, JsonNode writer, int depth) {
        JsonNode branches = reader.schema().get(keyword);
        if (branches == null || !branches.isArray() || branches.isEmpty()) {
            return;
        }
        List<String> writerTypes = SchemaNodes.types(writer);
        List<JsonNode> written = writer.has("type") && writerTypes.size() > 1
                ? writerTypes.stream().map(type -> (JsonNode) SchemaNodes.merge(writer,
                        JsonNodeFactory.instance.objectNode().put("type", type))).toList()
                : List.of(writer);
        for (JsonNode one : written) {
            List<Incompatibility> closest = null;
            for (int i = 0; i < branches.size() && (closest == null || !closest.isEmpty()); i++) {
                List<Incompatibility> attempt = attempt(reader.sub(keyword, String.valueOf(i)), one, depth + 1);
                if (closest == null || attempt.size() < closest.size()) {
                    closest = attempt;
                }
            }
            found.addAll(closest);
        }
    }

    private List<Incompatibility> attempt(Located reader, JsonNode writer, int depth) {
        List<Incompatibility> outer = found;
        found = new ArrayList<>();
        try {
            compare(reader, writer, depth);
            return found;
        } finally {
            found = outer;
        }
    }

    /** Array items, position by position: tuple positions ({@code prefixItems}) first, then the rest. */
    private void items(Located reader, JsonNode writer, int depth) {
        ArrayShape readerShape = ArrayShape.of(reader.schema());
        ArrayShape writerShape = ArrayShape.of(writer);
        int positions = Math.max(readerShape.prefix().size(), writerShape.prefix().size());
        for (int i = 0; i < positions; i++) {
            Located readerItem = i < readerShape.prefix().size()
                    ? reader.sub(readerShape.prefixKeyword(), String.valueOf(i))
                    : reader.sub(readerShape.restKeyword());
            JsonNode writerItem = i < writerShape.prefix().size() ? writerShape.prefix().get(i) : writerShape.rest();
            closedOrCompare(readerItem, writerItem, reader, "items closed", depth);
        }
        closedOrCompare(reader.sub(readerShape.restKeyword()), writerShape.rest(), reader, "items closed", depth);
        JsonNode contains = reader.schema().get("contains");
        if (contains != null) {
            if (writer.has("contains")) {
                compare(reader.sub("contains"), writer.get("contains"), depth + 1);
            } else {
                report(reader, "contains added");
            }
        }
    }

    private void properties(Located reader, JsonNode writer, int depth) {
        JsonNode schema = reader.schema();
        Set<String> writerRequired = new HashSet<>();
        writer.path("required").forEach(name -> writerRequired.add(name.asText()));
        for (JsonNode name : schema.path("required")) {
            if (!writerRequired.contains(name.asText())) {
                report(reader, "new required field '" + name.asText() + "'");
            }
        }
        Located additional = additional(reader);
        for (Map.Entry<String, JsonNode> property : writer.path("properties").properties()) {
            Located declared = reader.sub("properties", property.getKey());
            List<Located> patterns = matchingPatterns(reader, property.getKey());
            if (!declared.schema().isMissingNode()) {
                closedOrCompare(declared, property.getValue(), declared, "field removed", depth);
            } else if (!patterns.isEmpty()) {
                patterns.forEach(p -> closedOrCompare(p, property.getValue(), declared, "field removed", depth));
            } else {
                closedOrCompare(additional, property.getValue(), declared, "field removed", depth);
            }
        }
        for (Map.Entry<String, JsonNode> pattern : writer.path("patternProperties").properties()) {
            Located same = reader.sub("patternProperties", pattern.getKey());
            closedOrCompare(same.schema().isMissingNode() ? additional : same, pattern.getValue(), reader,
                    "properties matching '" + pattern.getKey() + "' removed", depth);
        }
        String keyword = additional.pointer().substring(additional.pointer().lastIndexOf('/') + 1);
        JsonNode writerAdditional = writer.has(keyword) ? writer.get(keyword) : writer.path("additionalProperties");
        closedOrCompare(additional, writerAdditional, reader, keyword + " closed", depth);
    }

    /** The reader's schema for properties it does not declare: {@code additionalProperties}, else {@code unevaluatedProperties}. */
    private static Located additional(Located reader) {
        return reader.schema().has("additionalProperties") || !reader.schema().has("unevaluatedProperties")
                ? reader.sub("additionalProperties")
                : reader.sub("unevaluatedProperties");
    }

    private static List<Located> matchingPatterns(Located reader, String name) {
        List<Located> matching = new ArrayList<>();
        for (Map.Entry<String, JsonNode> pattern : reader.schema().path("patternProperties").properties()) {
            try {
                if (Pattern.compile(pattern.getKey()).matcher(name).find()) {
                    matching.add(reader.sub("patternProperties", pattern.getKey()));
                }
            } catch (PatternSyntaxException notJavaSyntax) {
                // The validator accepted it as ECMA-262; without a match here the property falls to additionalProperties.
            }
        }
        return matching;
    }

    /**
     * Compares a sub-schema, except that a reader sub-schema of {@code false} facing a writer that writes
     * something there is reported once, in the words of the caller, at {@code where}.
     */
    private void closedOrCompare(Located reader, JsonNode writer, Located where, String closedReason, int depth) {
        JsonNode written = writer.isMissingNode() ? SchemaNodes.ANYTHING : writer;
        if (isFalse(reader.schema())) {
            if (!isFalse(followReferences(written))) {
                report(where, closedReason);
            }
            return;
        }
        compare(reader, written, depth + 1);
    }

    private static boolean isFalse(JsonNode schema) {
        return schema.isBoolean() && !schema.asBoolean();
    }

    private void report(Located at, String reason) {
        found.add(new Incompatibility(at.pointer(), reason));
    }

    /**
     * An array schema as positions: the tuple part (draft 2020-12 {@code prefixItems}, or the array form of
     * {@code items} in earlier drafts) and the schema for every item after it.
     */
    private record ArrayShape(String prefixKeyword, List<JsonNode> prefix, String restKeyword, JsonNode rest) {

        static ArrayShape of(JsonNode schema) {
            JsonNode items = schema.path("items");
            boolean tupleItems = items.isArray();
            List<JsonNode> prefix = new ArrayList<>();
            (tupleItems ? items : schema.path("prefixItems")).forEach(prefix::add);
            return tupleItems
                    ? new ArrayShape("items", prefix, "additionalItems", schema.path("additionalItems"))
                    : new ArrayShape("prefixItems", prefix, "items", items);
        }
    }

    /** Compared by identity: two structurally equal nodes at different places are different pairs. */
    private record Pair(JsonNode reader, JsonNode writer) {

        @Override
        public boolean equals(Object other) {
            return other instanceof Pair pair && pair.reader == reader && pair.writer == writer;
        }

        @Override
        public int hashCode() {
            return 31 * System.identityHashCode(reader) + System.identityHashCode(writer);
        }
    }
}
