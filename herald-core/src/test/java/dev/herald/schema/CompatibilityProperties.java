package dev.herald.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/**
 * Properties of the compatibility checker over generated object schemas: reflexivity, the classic
 * evolution rules, and soundness: when the checker finds nothing, the reader really accepts every
 * instance the writer accepts (instances built from the writer's declared properties).
 */
class CompatibilityProperties {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String NEW_PROPERTY = "z";

    private final SchemaCompiler compiler = new SchemaCompiler(SchemaDialect.DRAFT_2020_12);

    @Property(tries = 200)
    void everySchemaIsFullyCompatibleWithItself(@ForAll("objects") JsonNode schema) {
        assertThat(CompatibilityChecker.check(Compatibility.FULL, schema, schema.deepCopy())).isEmpty();
    }

    @Property(tries = 200)
    void addingAnOptionalPropertyIsBackwardCompatible(@ForAll("objects") JsonNode previous, @ForAll("leaves") JsonNode added) {
        ObjectNode next = previous.deepCopy();
        next.withObject("/properties").set(NEW_PROPERTY, added);

        assertThat(CompatibilityChecker.check(Compatibility.BACKWARD, previous, next)).isEmpty();
        // Old consumers ignore the new field, unless their content model was closed.
        assertThat(CompatibilityChecker.check(Compatibility.FORWARD, previous, next)).isEqualTo(closed(previous)
                ? List.of(new Incompatibility("/properties/" + NEW_PROPERTY, "field removed"))
                : List.of());
    }

    @Property(tries = 200)
    void addingARequiredPropertyIsNotBackwardCompatible(@ForAll("objects") JsonNode previous, @ForAll("leaves") JsonNode added) {
        ObjectNode next = previous.deepCopy();
        next.withObject("/properties").set(NEW_PROPERTY, added);
        next.withArray("/required").add(NEW_PROPERTY);

        assertThat(CompatibilityChecker.check(Compatibility.BACKWARD, previous, next))
                .containsExactly(new Incompatibility("", "new required field '" + NEW_PROPERTY + "'"));
    }

    @Property(tries = 200)
    void aCompatibleReaderAcceptsWhatTheWriterAccepts(@ForAll("objects") JsonNode writer,
            @ForAll @Size(min = 1, max = 3) List<Mutation> mutations, @ForAll Random random) {
        JsonNode reader = writer.deepCopy();
        for (Mutation mutation : mutations) {
            mutation.apply(pickObject(reader, random), random);
        }
        List<Incompatibility> found = CompatibilityChecker.compare(reader, writer);
        Schema writerSchema = compile(writer);
        Schema readerSchema = compile(reader);

        int checked = 0;
        for (int i = 0; i < 20; i++) {
            JsonNode instance = Instances.sample(writer, random);
            if (found.isEmpty() && writerSchema.validate(instance).isEmpty()) {
                checked++;
                assertThat(readerSchema.validate(instance)).as("%s, found compatible, refuses %s", reader, instance).isEmpty();
            }
        }
        // Not vacuous: a fair share of the mutated readers are compatible and get instances to read.
        Statistics.label("compatible with instances checked").collect(checked > 0);
        Statistics.label("compatible with instances checked").coverage(c -> c.check(true).percentage(p -> p >= 15));
    }

    private Schema compile(JsonNode schema) {
        return compiler.compile("generated", URI.create("urn:generated"), schema);
    }

    private static boolean closed(JsonNode schema) {
        return schema.path("additionalProperties").isBoolean() && !schema.path("additionalProperties").asBoolean();
    }

    /** The root or one of the nested object schemas, at random. */
    private static ObjectNode pickObject(JsonNode schema, Random random) {
        List<ObjectNode> objects = new ArrayList<>();
        collectObjects(schema, objects);
        return objects.get(random.nextInt(objects.size()));
    }

    private static void collectObjects(JsonNode schema, List<ObjectNode> objects) {
        if (schema.isMissingNode()) {
            return;
        }
        if (schema.has("properties")) {
            objects.add((ObjectNode) schema);
        }
        schema.path("properties").forEach(p -> collectObjects(p, objects));
        collectObjects(schema.path("items"), objects);
    }

    @Provide
    Arbitrary<JsonNode> objects() {
        return objectSchemas(2);
    }

    @Provide
    Arbitrary<JsonNode> leaves() {
        return Arbitraries.oneOf(strings(), numbers(), Arbitraries.of(true, false).map(CompatibilityProperties::booleans));
    }

    private Arbitrary<JsonNode> objectSchemas(int depth) {
        Arbitrary<JsonNode> property = depth == 0 ? leaves()
                : Arbitraries.frequencyOf(
                        Tuple.of(5, leaves()),
                        Tuple.of(1, objectSchemas(depth - 1)),
                        Tuple.of(1, objectSchemas(depth - 1).map(CompatibilityProperties::arrayOf)));
        return Combinators.combine(
                        Arbitraries.maps(Arbitraries.of("a", "b", "c", "d"), property).ofMinSize(1).ofMaxSize(4),
                        Arbitraries.integers().between(0, 15),
                        Arbitraries.of(false, false, true))
                .as((properties, requiredBits, closed) -> {
                    ObjectNode schema = NODES.objectNode().put("type", "object");
                    ObjectNode declared = schema.putObject("properties");
                    ArrayNode required = NODES.arrayNode();
                    int bit = 0;
                    for (Map.Entry<String, JsonNode> p : properties.entrySet()) {
                        declared.set(p.getKey(), p.getValue());
                        if ((requiredBits & (1 << bit++)) != 0) {
                            required.add(p.getKey());
                        }
                    }
                    if (!required.isEmpty()) {
                        schema.set("required", required);
                    }
                    if (closed) {
                        schema.put("additionalProperties", false);
                    }
                    return schema;
                });
    }

    private static JsonNode arrayOf(JsonNode items) {
        return NODES.objectNode().put("type", "array").set("items", items);
    }

    private static JsonNode booleans(boolean nullable) {
        return withType(NODES.objectNode(), "boolean", nullable);
    }

    private Arbitrary<JsonNode> strings() {
        return Combinators.combine(Arbitraries.of(true, false), Arbitraries.integers().between(1, 4).injectNull(0.6),
                        Arbitraries.subsetOf("a", "bb", "ccc").ofMinSize(1).injectNull(0.7))
                .as((nullable, maxLength, values) -> {
                    ObjectNode schema = withType(NODES.objectNode(), "string", nullable);
                    if (maxLength != null) {
                        schema.put("maxLength", maxLength);
                    }
                    if (values != null) {
                        ArrayNode allowed = schema.putArray("enum");
                        values.stream().sorted().forEach(allowed::add);
                        if (nullable) {
                            allowed.addNull();
                        }
                    }
                    return schema;
                });
    }

    private Arbitrary<JsonNode> numbers() {
        return Combinators.combine(Arbitraries.of("integer", "number"), Arbitraries.of(true, false),
                        Arbitraries.integers().between(-2, 2).injectNull(0.5), Arbitraries.integers().between(0, 4).injectNull(0.5))
                .as((type, nullable, minimum, maximum) -> {
                    ObjectNode schema = withType(NODES.objectNode(), type, nullable);
                    if (minimum != null) {
                        schema.put("minimum", minimum);
                    }
                    if (maximum != null) {
                        schema.put("maximum", Math.max(maximum, minimum == null ? maximum : minimum));
                    }
                    return schema;
                });
    }

    private static ObjectNode withType(ObjectNode schema, String type, boolean nullable) {
        if (nullable) {
            schema.putArray("type").add(type).add("null");
        } else {
            schema.put("type", type);
        }
        return schema;
    }

    /** Small edits a new version might make to an object schema: some widen it, some narrow it. */
    enum Mutation {
        ADD_OPTIONAL {
            @Override
            void apply(ObjectNode object, Random random) {
                object.withObject("/properties").set("e", NODES.objectNode().put("type", "string"));
            }
        },
        ADD_REQUIRED {
            @Override
            void apply(ObjectNode object, Random random) {
                ADD_OPTIONAL.apply(object, random);
                removeRequired(object, "e");
                object.withArray("/required").add("e");
            }
        },
        REMOVE_PROPERTY {
            @Override
            void apply(ObjectNode object, Random random) {
                String name = anyProperty(object, random);
                object.withObject("/properties").remove(name);
                removeRequired(object, name);
            }
        },
        TOGGLE_REQUIRED {
            @Override
            void apply(ObjectNode object, Random random) {
                String name = anyProperty(object, random);
                if (!removeRequired(object, name)) {
                    object.withArray("/required").add(name);
                }
            }
        },
        TOGGLE_CLOSED {
            @Override
            void apply(ObjectNode object, Random random) {
                if (object.remove("additionalProperties") == null) {
                    object.put("additionalProperties", false);
                }
            }
        },
        TOGGLE_NULL {
            @Override
            void apply(ObjectNode object, Random random) {
                ObjectNode leaf = anyLeaf(object, random);
                JsonNode type = leaf.get("type");
                if (type == null) {
                    return;
                }
                if (type.isArray()) {
                    leaf.put("type", type.get(0).asText());
                } else {
                    leaf.putArray("type").add(type.asText()).add("null");
                }
            }
        },
        SWAP_NUMERIC_TYPE {
            @Override
            void apply(ObjectNode object, Random random) {
                ObjectNode leaf = anyLeaf(object, random);
                if ("integer".equals(leaf.path("type").asText())) {
                    leaf.put("type", "number");
                } else if ("number".equals(leaf.path("type").asText())) {
                    leaf.put("type", "integer");
                }
            }
        },
        SHIFT_BOUNDS {
            @Override
            void apply(ObjectNode object, Random random) {
                ObjectNode leaf = anyLeaf(object, random);
                int shift = random.nextBoolean() ? 1 : -1;
                for (String bound : List.of("maxLength", "minimum", "maximum")) {
                    if (leaf.has(bound)) {
                        leaf.put(bound, Math.max(1, leaf.get(bound).asInt() + shift));
                    }
                }
                if (!leaf.has("maxLength") && "string".equals(leaf.path("type").asText())) {
                    leaf.put("maxLength", 2);
                }
            }
        },
        EDIT_ENUM {
            @Override
            void apply(ObjectNode object, Random random) {
                ObjectNode leaf = anyLeaf(object, random);
                JsonNode values = leaf.get("enum");
                if (values == null) {
                    return;
                }
                if (random.nextBoolean() || values.size() < 2) {
                    ((ArrayNode) values).add("dddd");
                } else {
                    ((ArrayNode) values).remove(0);
                }
            }
        };

        abstract void apply(ObjectNode object, Random random);

        private static String anyProperty(ObjectNode object, Random random) {
            List<String> names = new ArrayList<>();
            object.path("properties").fieldNames().forEachRemaining(names::add);
            return names.isEmpty() ? "none" : names.get(random.nextInt(names.size()));
        }

        private static ObjectNode anyLeaf(ObjectNode object, Random random) {
            JsonNode leaf = object.path("properties").path(anyProperty(object, random));
            return leaf.isObject() ? (ObjectNode) leaf : NODES.objectNode();
        }

        private static boolean removeRequired(ObjectNode object, String name) {
            JsonNode required = object.get("required");
            for (int i = 0; required != null && i < required.size(); i++) {
                if (required.get(i).asText().equals(name)) {
                    ((ArrayNode) required).remove(i);
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * Builds instances that mostly satisfy a generated schema, using only properties it declares (the
     * checker's assumption about writers); the property then filters with the real validator.
     */
    static final class Instances {

        private static final List<JsonNode> SCALARS = List.of(NODES.textNode("a"), NODES.textNode("bb"),
                NODES.textNode("ccc"), NODES.textNode("dddd"), NODES.numberNode(-2), NODES.numberNode(0),
                NODES.numberNode(1), NODES.numberNode(3), NODES.numberNode(4.5), NODES.booleanNode(true), NODES.nullNode());

        private Instances() {
        }

        static JsonNode sample(JsonNode schema, Random random) {
            JsonNode values = schema.get("enum");
            if (values != null && random.nextInt(4) > 0) {
                return values.get(random.nextInt(values.size()));
            }
            String type = schema.path("type").isArray()
                    ? schema.get("type").get(random.nextInt(schema.get("type").size())).asText()
                    : schema.path("type").asText();
            return switch (type) {
                case "object" -> object(schema, random);
                case "array" -> {
                    ArrayNode array = NODES.arrayNode();
                    for (int i = random.nextInt(3); i > 0; i--) {
                        array.add(sample(schema.path("items"), random));
                    }
                    yield array;
                }
                default -> SCALARS.get(random.nextInt(SCALARS.size()));
            };
        }

        private static JsonNode object(JsonNode schema, Random random) {
            ObjectNode object = NODES.objectNode();
            Set<String> required = new HashSet<>();
            schema.path("required").forEach(name -> required.add(name.asText()));
            for (Map.Entry<String, JsonNode> property : schema.path("properties").properties()) {
                if (required.contains(property.getKey()) || random.nextBoolean()) {
                    object.set(property.getKey(), sample(property.getValue(), random));
                }
            }
            return object;
        }
    }
}
