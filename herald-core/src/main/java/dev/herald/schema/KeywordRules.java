package dev.herald.schema;

import static dev.herald.schema.SchemaNodes.accepts;
import static dev.herald.schema.SchemaNodes.mayHold;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The compatibility rules for keywords that constrain a value directly, without sub-schemas: types,
 * allowed values, and bounds on strings, numbers, arrays and objects. Each rule reports what the reader
 * demands beyond the writer, in the words of {@link CompatibilityChecker}.
 */
final class KeywordRules {

    /** Keywords the checker does not reason about; a reader may only keep them unchanged. */
    private static final List<String> OPAQUE = List.of("not", "if", "then", "else", "dependentSchemas",
            "dependentRequired", "dependencies", "propertyNames", "minContains", "maxContains", "unevaluatedItems",
            "$dynamicRef", "$recursiveRef");

    private KeywordRules() {
    }

    /** Applies every rule to one reader/writer pair of schema objects, passing each reason to {@code reasons}. */
    static void compare(JsonNode reader, JsonNode writer, Consumer<String> reasons) {
        List<String> readerTypes = SchemaNodes.types(reader);
        List<String> writerTypes = SchemaNodes.types(writer);
        types(readerTypes, writerTypes, reasons);
        values(reader, writer, reasons);
        if (mayHold(writerTypes, "string") && accepts(readerTypes, "string")) {
            upperLimit("maxLength", reader, writer, reasons);
            lowerLimit("minLength", reader, writer, reasons);
            sameText("pattern", reader, writer, reasons);
            sameText("format", reader, writer, reasons);
        }
        if (mayHold(writerTypes, "number") && (accepts(readerTypes, "number") || accepts(readerTypes, "integer"))) {
            numberRange(reader, writer, reasons);
        }
        if (mayHold(writerTypes, "array") && accepts(readerTypes, "array")) {
            upperLimit("maxItems", reader, writer, reasons);
            lowerLimit("minItems", reader, writer, reasons);
            if (reader.path("uniqueItems").asBoolean() && !writer.path("uniqueItems").asBoolean()) {
                reasons.accept("uniqueItems added");
            }
        }
        if (mayHold(writerTypes, "object") && accepts(readerTypes, "object")) {
            upperLimit("maxProperties", reader, writer, reasons);
            lowerLimit("minProperties", reader, writer, reasons);
        }
        for (String keyword : OPAQUE) {
            unchanged(keyword, reader, writer, reasons);
        }
    }

    private static void types(List<String> reader, List<String> writer, Consumer<String> reasons) {
        if (reader.isEmpty()) {
            return;
        }
        if (writer.isEmpty()) {
            reasons.accept("type narrowed from any to " + reader);
        } else if (!writer.stream().allMatch(type -> accepts(reader, type))) {
            reasons.accept("type narrowed from " + writer + " to " + reader);
        }
    }

    private static void values(JsonNode reader, JsonNode writer, Consumer<String> reasons) {
        Optional<List<JsonNode>> allowed = SchemaNodes.values(reader);
        if (allowed.isEmpty()) {
            return;
        }
        Optional<List<JsonNode>> written = SchemaNodes.values(writer);
        boolean readerConst = reader.has("const");
        if (written.isEmpty()) {
            reasons.accept(readerConst ? "const added (" + SchemaNodes.show(reader.get("const")) + ")"
                    : "enum added " + reader.get("enum"));
        } else if (readerConst && writer.has("const")) {
            if (!SchemaNodes.sameValue(reader.get("const"), writer.get("const"))) {
                reasons.accept("const changed from " + SchemaNodes.show(writer.get("const")) + " to "
                        + SchemaNodes.show(reader.get("const")));
            }
        } else {
            written.get().stream()
                    .filter(value -> allowed.get().stream().noneMatch(a -> SchemaNodes.sameValue(a, value)))
                    .forEach(value -> reasons.accept("enum value " + SchemaNodes.show(value) + " removed"));
        }
    }

    /** {@code maxLength}, {@code maxItems}, {@code maxProperties}: the reader may not allow less. */
    private static void upperLimit(String keyword, JsonNode reader, JsonNode writer, Consumer<String> reasons) {
        JsonNode limit = reader.get(keyword);
        if (limit == null || !limit.isNumber()) {
            return;
        }
        JsonNode written = writer.get(keyword);
        if (written == null || !written.isNumber()) {
            reasons.accept(keyword + " added (" + limit + ")");
        } else if (written.decimalValue().compareTo(limit.decimalValue()) > 0) {
            reasons.accept(keyword + " lowered from " + written + " to " + limit);
        }
    }

    /** {@code minLength}, {@code minItems}, {@code minProperties}: the reader may not demand more. */
    private static void lowerLimit(String keyword, JsonNode reader, JsonNode writer, Consumer<String> reasons) {
        JsonNode limit = reader.get(keyword);
        if (limit == null || !limit.isNumber() || limit.decimalValue().signum() <= 0) {
            return;
        }
        JsonNode written = writer.get(keyword);
        if (written == null || !written.isNumber()) {
            reasons.accept(keyword + " added (" + limit + ")");
        } else if (written.decimalValue().compareTo(limit.decimalValue()) < 0) {
            reasons.accept(keyword + " raised from " + written + " to " + limit);
        }
    }

    /** {@code pattern}, {@code format}: regular expressions and formats cannot be compared, only matched. */
    private static void sameText(String keyword, JsonNode reader, JsonNode writer, Consumer<String> reasons) {
        JsonNode demanded = reader.get(keyword);
        if (demanded == null) {
            return;
        }
        JsonNode written = writer.get(keyword);
        if (written == null) {
            reasons.accept(keyword + " added (" + demanded.asText() + ")");
        } else if (!written.equals(demanded)) {
            reasons.accept(keyword + " changed from " + written.asText() + " to " + demanded.asText());
        }
    }

    private static void unchanged(String keyword, JsonNode reader, JsonNode writer, Consumer<String> reasons) {
        JsonNode demanded = reader.get(keyword);
        if (demanded == null) {
            return;
        }
        JsonNode written = writer.get(keyword);
        if (written == null) {
            reasons.accept(keyword + " added");
        } else if (!SchemaNodes.sameValue(demanded, written)) {
            reasons.accept(keyword + " changed");
        }
    }

    private static void numberRange(JsonNode reader, JsonNode writer, Consumer<String> reasons) {
        Optional<Bound> readerLow = Bound.lower(reader);
        Optional<Bound> writerLow = Bound.lower(writer);
        if (readerLow.isPresent()) {
            if (writerLow.isEmpty()) {
                reasons.accept("minimum added (" + readerLow.get().show(">") + ")");
            } else if (readerLow.get().stricterThan(writerLow.get())) {
                reasons.accept("minimum raised from " + writerLow.get().show(">") + " to " + readerLow.get().show(">"));
            }
        }
        Optional<Bound> readerHigh = Bound.upper(reader);
        Optional<Bound> writerHigh = Bound.upper(writer);
        if (readerHigh.isPresent()) {
            if (writerHigh.isEmpty()) {
                reasons.accept("maximum added (" + readerHigh.get().show("<") + ")");
            } else if (readerHigh.get().stricterThan(writerHigh.get())) {
                reasons.accept("maximum lowered from " + writerHigh.get().show("<") + " to " + readerHigh.get().show("<"));
            }
        }
        JsonNode divisor = reader.get("multipleOf");
        if (divisor != null && divisor.isNumber()) {
            JsonNode written = writer.get("multipleOf");
            if (written == null || !written.isNumber()) {
                reasons.accept("multipleOf added (" + divisor + ")");
            } else if (written.decimalValue().remainder(divisor.decimalValue()).signum() != 0) {
                reasons.accept("multipleOf changed from " + written + " to " + divisor);
            }
        }
    }

    /**
     * One end of a numeric range. {@code minimum} with {@code exclusiveMinimum} (a number since draft 6,
     * a flag on {@code minimum} in draft 4) collapse into the strictest bound.
     */
    private record Bound(BigDecimal value, boolean exclusive, boolean isLower) {

        static Optional<Bound> lower(JsonNode schema) {
            return strictest(schema, "minimum", "exclusiveMinimum", true);
        }

        static Optional<Bound> upper(JsonNode schema) {
            return strictest(schema, "maximum", "exclusiveMaximum", false);
        }

        private static Optional<Bound> strictest(JsonNode schema, String inclusiveKeyword, String exclusiveKeyword,
                boolean isLower) {
            JsonNode inclusive = schema.get(inclusiveKeyword);
            JsonNode exclusive = schema.get(exclusiveKeyword);
            Optional<Bound> fromInclusive = inclusive != null && inclusive.isNumber()
                    ? Optional.of(new Bound(inclusive.decimalValue(), exclusive != null && exclusive.asBoolean(false),
                            isLower))
                    : Optional.empty();
            Optional<Bound> fromExclusive = exclusive != null && exclusive.isNumber()
                    ? Optional.of(new Bound(exclusive.decimalValue(), true, isLower))
                    : Optional.empty();
            if (fromInclusive.isEmpty()) {
                return fromExclusive;
            }
            if (fromExclusive.isEmpty()) {
                return fromInclusive;
            }
            return Optional.of(fromInclusive.get().stricterThan(fromExclusive.get())
                    ? fromInclusive.get() : fromExclusive.get());
        }

        /** Whether this bound lets fewer numbers through than {@code other} (on the same end). */
        boolean stricterThan(Bound other) {
            int order = isLower ? value.compareTo(other.value) : other.value.compareTo(value);
            return order > 0 || (order == 0 && exclusive && !other.exclusive);
        }

        String show(String strictOperator) {
            return strictOperator + (exclusive ? " " : "= ") + value.toPlainString();
        }
    }
}
