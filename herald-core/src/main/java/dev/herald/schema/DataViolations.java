package dev.herald.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.path.NodePath;
import dev.herald.event.Violation;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * Translates the validator's errors into Herald {@link Violation}s: {@code where} is {@code data} plus the
 * JSON pointer of the offending value, {@code rule} is the keyword and what it demands in words, and
 * {@code value} is the offending value as compact JSON.
 */
final class DataViolations {

    private static final String ROOT = "data";

    private DataViolations() {
    }

    static List<Violation> from(List<Error> errors) {
        return errors.stream()
                .filter(e -> !insideAlternative(e.getEvaluationPath()))
                .map(DataViolations::toViolation)
                .toList();
    }

    /**
     * Errors from inside one branch of {@code anyOf}/{@code oneOf} are dropped: the combinator reports the
     * failure once, while each branch's own complaint ("must be string", "must be integer", ...) contradicts
     * the others and only confuses the reader.
     */
    private static boolean insideAlternative(NodePath evaluationPath) {
        for (int i = 0; i + 1 < evaluationPath.getNameCount(); i++) {
            Object segment = evaluationPath.getElement(i);
            if (("anyOf".equals(segment) || "oneOf".equals(segment)) && evaluationPath.getElement(i + 1) instanceof Integer) {
                return true;
            }
        }
        return false;
    }

    private static Violation toViolation(Error error) {
        String where = pointer(error.getInstanceLocation());
        JsonNode demand = error.getSchemaNode();
        String keyword = error.getKeyword();
        return switch (keyword) {
            // These point at the object; a reader wants the property itself named.
            case "required" -> error.getProperty() == null
                    ? generic(where, error)
                    : Violation.missing(child(where, error.getProperty()),
                            keyword + ": property '" + error.getProperty() + "' is missing");
            case "additionalProperties", "unevaluatedProperties" -> error.getProperty() == null
                    ? generic(where, error)
                    : new Violation(child(where, error.getProperty()),
                            keyword + ": property '" + error.getProperty() + "' is not allowed",
                            json(error.getInstanceNode().get(error.getProperty())));
            default -> new Violation(where, keyword + ": " + demand(keyword, demand, error), json(error.getInstanceNode()));
        };
    }

    private static Violation generic(String where, Error error) {
        return new Violation(where, error.getKeyword() + ": " + error.getMessage(), json(error.getInstanceNode()));
    }

    /** What the keyword demands, in words, from the keyword's value in the schema. */
    private static String demand(String keyword, JsonNode value, Error error) {
        return switch (keyword) {
            case "type" -> value.isArray() ? "must be one of " + list(value) : "must be " + value.asText();
            case "enum" -> "must be one of " + list(value);
            case "const" -> "must be " + text(value);
            case "minLength" -> "must be at least " + value.asText() + " characters long";
            case "maxLength" -> "must be at most " + value.asText() + " characters long";
            case "pattern" -> "must match " + value.asText();
            case "format" -> "must be a valid " + value.asText();
            case "minimum" -> "must be >= " + value.asText();
            case "exclusiveMinimum" -> "must be > " + value.asText();
            case "maximum" -> "must be <= " + value.asText();
            case "exclusiveMaximum" -> "must be < " + value.asText();
            case "multipleOf" -> "must be a multiple of " + value.asText();
            case "minItems" -> "must have at least " + value.asText() + " items";
            case "maxItems" -> "must have at most " + value.asText() + " items";
            case "uniqueItems" -> "items must be unique";
            case "minProperties" -> "must have at least " + value.asText() + " properties";
            case "maxProperties" -> "must have at most " + value.asText() + " properties";
            case "false" -> "no value is allowed here";
            case "anyOf" -> "must match at least one of " + value.size() + " alternatives";
            case "oneOf" -> "must match exactly one of " + value.size() + " alternatives";
            default -> error.getMessage();
        };
    }

    /** {@code [low, medium, high]}: strings bare, other values as JSON. */
    private static String list(JsonNode values) {
        return StreamSupport.stream(values.spliterator(), false).map(DataViolations::text)
                .collect(Collectors.joining(", ", "[", "]"));
    }

    private static String text(JsonNode value) {
        return value.isTextual() ? value.asText() : value.toString();
    }

    private static String json(JsonNode value) {
        return value == null ? null : value.toString();
    }

    private static String pointer(NodePath instanceLocation) {
        String where = ROOT;
        for (int i = 0; i < instanceLocation.getNameCount(); i++) {
            where = child(where, String.valueOf(instanceLocation.getElement(i)));
        }
        return where;
    }

    private static String child(String parent, String name) {
        return JsonPointers.append(parent, name);
    }
}
