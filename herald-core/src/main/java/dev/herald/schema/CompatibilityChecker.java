package dev.herald.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.stream.Stream;

/**
 * Decides structurally whether one JSON Schema can read the data another allows, in the way Confluent
 * Schema Registry checks JSON Schemas: the <em>reader</em> is the schema a consumer validates with, the
 * <em>writer</em> the schema the data was produced under, and the reader is compatible when it accepts
 * everything the writer allows.
 *
 * <p>What counts as incompatible, each reported at the reader's schema location:
 * <ul>
 *   <li>types: a writer type the reader does not accept ({@code type narrowed from [string, null] to [string]};
 *       {@code integer} fits {@code number});</li>
 *   <li>values: {@code enum value 'critical' removed}, {@code const changed}, an {@code enum}/{@code const} added;</li>
 *   <li>bounds: {@code maxLength lowered}, {@code minLength raised}, {@code pattern changed}, {@code format changed},
 *       {@code minimum raised}, {@code maximum lowered}, {@code multipleOf changed}, {@code minItems raised},
 *       {@code maxItems lowered}, {@code uniqueItems added}, {@code minProperties raised}, {@code maxProperties lowered};</li>
 *   <li>objects: {@code new required field 'x'}; {@code field removed} when the reader rejects a property the
 *       writer declares (a closed content model or a {@code false} schema); {@code additionalProperties closed};</li>
 *   <li>nested schemas: {@code properties}, {@code additionalProperties}, {@code patternProperties},
 *       {@code items}/{@code prefixItems}, {@code contains} and local {@code $ref}s ({@code #/$defs/…}) are
 *       compared recursively; {@code anyOf}/{@code oneOf}: every writer alternative must fit some reader
 *       alternative (for {@code oneOf}, whether the reader's alternatives exclude each other is not
 *       checked); {@code allOf}: the writer must fit every reader branch;</li>
 *   <li>keywords it does not reason about ({@code not}, {@code if}/{@code then}/{@code else},
 *       {@code dependentRequired}, {@code propertyNames}, …) must be unchanged.</li>
 * </ul>
 * Annotations ({@code title}, {@code description}, {@code examples}, {@code x-…}) never matter.
 *
 * <p>One deliberate departure from Confluent: a property the reader declares but the writer does not is
 * compatible even when the writer's content model is open. Confluent flags it, because an open writer
 * could have written that name with any value; but then no optional field could ever be added, and
 * producers in practice do not put undeclared fields under names a later version declares. Closing the
 * content model is still flagged: open writers do send extra fields.
 */
public final class CompatibilityChecker {

    private CompatibilityChecker() {
    }

    /**
     * Whether {@code next} may follow {@code previous} under {@code mode}.
     *
     * @return every incompatibility found; empty when compatible. Under {@link Compatibility#FULL}, reasons
     *         start with {@code backward: } or {@code forward: }.
     */
    public static List<Incompatibility> check(Compatibility mode, JsonNode previous, JsonNode next) {
        return switch (mode) {
            case BACKWARD -> compare(next, previous);
            case FORWARD -> compare(previous, next);
            case FULL -> Stream.concat(labelled("backward", compare(next, previous)),
                    labelled("forward", compare(previous, next))).toList();
            case NONE -> List.of();
        };
    }

    /**
     * Why a consumer validating with {@code reader} could refuse data valid under {@code writer}.
     *
     * @return every incompatibility found; empty when the reader accepts all the writer allows
     */
    public static List<Incompatibility> compare(JsonNode reader, JsonNode writer) {
        return new SchemaComparison(reader, writer).run();
    }

    private static Stream<Incompatibility> labelled(String direction, List<Incompatibility> found) {
        return found.stream().map(i -> new Incompatibility(i.pointer(), direction + ": " + i.reason()));
    }
}
