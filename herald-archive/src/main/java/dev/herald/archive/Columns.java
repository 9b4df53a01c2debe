package dev.herald.archive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.schema.SchemaVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The columns of one type's files: every CloudEvents and Herald attribute, the schema version,
 * {@code data} as JSON text, and typed {@code data_*} columns for the schema's top-level properties:
 * scalars as {@code BIGINT}, {@code DOUBLE}, {@code BOOLEAN}, {@code VARCHAR} or {@code TIMESTAMPTZ}
 * ({@code format: date-time}), and objects closed by {@code additionalProperties: false} as structs.
 * Open objects, arrays and unions stay in {@code data} only. Redacted paths get no column.
 */
final class Columns {

    /** The attributes that identify an event: never redacted. */
    static final Set<String> ID_ATTRIBUTES = Set.of("id", "source", "specversion", "type");

    /** The attribute columns, in file order (all text except {@code time}). */
    static final List<String> ATTRIBUTES = List.of("id", "source", "specversion", "type", "subject", "time",
            "datacontenttype", "dataschema", "project", "authtype", "authid", "correlationid", "causationid",
            "partitionkey", "traceparent", "tracestate");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A typed column: its name, DuckDB type, and the SQL that computes it from the staged {@code data}. */
    record Typed(String name, String sqlType, String expression, JsonNode jsonSchema) {
    }

    /** A column type: its DDL, and for a struct the structure json_transform takes. */
    private record SqlType(String ddl, JsonNode structure) {
    }

    private final List<String> attributes;
    private final List<Typed> typed;
    private final Optional<SchemaVersion> schema;

    private Columns(List<String> attributes, List<Typed> typed, Optional<SchemaVersion> schema) {
        this.attributes = attributes;
        this.typed = typed;
        this.schema = schema;
    }

    /** The columns of a type whose newest schema is {@code schema} (empty: no typed columns). */
    static Columns of(Optional<SchemaVersion> schema, Redaction redaction) {
        List<String> attributes = ATTRIBUTES.stream().filter(a -> !redaction.removesAttribute(a)).toList();
        List<Typed> typed = new ArrayList<>();
        schema.ifPresent(version -> {
            JsonNode root = version.schema();
            root.path("properties").properties().forEach(property -> {
                List<String> path = List.of(property.getKey());
                if (redaction.removesDataPath(path)) {
                    return;
                }
                sqlType(resolve(root, property.getValue()), root, path, redaction).ifPresent(type -> {
                    String name = "data_" + property.getKey().replaceAll("[^A-Za-z0-9_]", "_");
                    typed.add(new Typed(name, type.ddl(), expression(property.getKey(), type), property.getValue()));
                });
            });
        });
        return new Columns(attributes, List.copyOf(typed), schema);
    }

    List<String> attributes() {
        return attributes;
    }

    List<Typed> typed() {
        return typed;
    }

    /** The SELECT list that turns staged rows into the file's columns. */
    String selectList() {
        List<String> select = new ArrayList<>();
        for (String attribute : attributes) {
            select.add(quote(attribute));
        }
        select.add("extensions");
        select.add("schemaversion");
        select.add("publishedat");
        select.add("data");
        for (Typed column : typed) {
            select.add(column.expression() + " AS " + quote(column.name()));
        }
        return String.join(", ", select);
    }

    /** The {@code _schema.json} of a partition: every column with its type and origin, and the JSON Schema. */
    ObjectNode describe() {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode columns = out.putArray("columns");
        for (String attribute : attributes) {
            columns.addObject().put("name", attribute).put("type", attribute.equals("time") ? "TIMESTAMPTZ"
                    : "VARCHAR").put("from", "CloudEvents attribute " + attribute);
        }
        columns.addObject().put("name", "extensions").put("type", "VARCHAR")
                .put("from", "other extension attributes, as a JSON object");
        columns.addObject().put("name", "schemaversion").put("type", "INTEGER")
                .put("from", "the version of the type's schema the event's dataschema names");
        columns.addObject().put("name", "publishedat").put("type", "TIMESTAMPTZ")
                .put("from", "when the transport stored the event");
        columns.addObject().put("name", "data").put("type", "VARCHAR").put("from", "data as JSON text");
        for (Typed column : typed) {
            ObjectNode c = columns.addObject().put("name", column.name()).put("type", column.sqlType())
                    .put("from", "data property " + column.name().substring(5));
            c.set("jsonSchema", column.jsonSchema());
        }
        schema.ifPresent(version -> {
            out.put("type", version.type()).put("schemaVersion", version.version())
                    .put("schemaUri", version.uri().toString());
            out.set("jsonSchema", version.schema());
        });
        return out;
    }

    static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    private static String expression(String property, SqlType type) {
        String path = "'$.\"" + property.replace("'", "''").replace("\"", "\\\"") + "\"'";
        if (type.structure() != null) {
            return "json_transform(json_extract(data, " + path + "), '"
                    + type.structure().toString().replace("'", "''") + "')";
        }
        return "TRY_CAST(json_extract_string(data, " + path + ") AS " + type.ddl() + ")";
    }

    private static Optional<SqlType> sqlType(JsonNode schema, JsonNode root, List<String> path, Redaction redaction) {
        String type = scalarType(schema);
        if (type == null) {
            return Optional.empty();
        }
        switch (type) {
            case "integer":
                return Optional.of(new SqlType("BIGINT", null));
            case "number":
                return Optional.of(new SqlType("DOUBLE", null));
            case "boolean":
                return Optional.of(new SqlType("BOOLEAN", null));
            case "string":
                return Optional.of(new SqlType("date-time".equals(schema.path("format").asText()) ? "TIMESTAMPTZ"
                        : "VARCHAR", null));
            case "object":
                if (!schema.path("additionalProperties").isBoolean() || schema.path("additionalProperties")
                        .asBoolean() || !schema.path("properties").isObject()) {
                    return Optional.empty();
                }
                List<String> fields = new ArrayList<>();
                ObjectNode structure = JSON.createObjectNode();
                for (Map.Entry<String, JsonNode> field : schema.path("properties").properties()) {
                    List<String> fieldPath = new ArrayList<>(path);
                    fieldPath.add(field.getKey());
                    if (redaction.removesDataPath(fieldPath)) {
                        continue;
                    }
                    Optional<SqlType> fieldType = sqlType(resolve(root, field.getValue()), root, fieldPath, redaction);
                    if (fieldType.isPresent()) {
                        SqlType t = fieldType.get();
                        fields.add(quote(field.getKey()) + " " + t.ddl());
                        structure.set(field.getKey(), t.structure() != null ? t.structure()
                                : JSON.getNodeFactory().textNode(t.ddl()));
                    }
                }
                if (fields.isEmpty()) {
                    return Optional.empty();
                }
                return Optional.of(new SqlType("STRUCT(" + String.join(", ", fields) + ")", structure));
            default:
                return Optional.empty();
        }
    }

    /** The one JSON type a property has, ignoring {@code null} in a type list or an anyOf; null when several. */
    private static String scalarType(JsonNode schema) {
        JsonNode type = schema.path("type");
        if (type.isTextual()) {
            return type.asText();
        }
        if (type.isArray()) {
            List<String> types = new ArrayList<>();
            type.forEach(t -> {
                if (!t.asText().equals("null")) {
                    types.add(t.asText());
                }
            });
            return types.size() == 1 ? types.getFirst() : null;
        }
        return null;
    }

    /** Follows a local {@code $ref} ({@code #/$defs/x}); other schemas are returned as they are. */
    private static JsonNode resolve(JsonNode root, JsonNode schema) {
        JsonNode ref = schema.path("$ref");
        if (ref.isTextual() && ref.asText().startsWith("#/")) {
            JsonNode target = root.at(ref.asText().substring(1));
            if (!target.isMissingNode()) {
                return resolve(root, target);
            }
        }
        return schema;
    }
}
