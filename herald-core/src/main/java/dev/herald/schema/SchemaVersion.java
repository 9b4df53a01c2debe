package dev.herald.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One version of an event type's schema.
 *
 * <p>Immutable: the schema node is copied on the way in and on the way out, so no caller can change
 * what the registry validates against.
 *
 * @param type    the event type, e.g. {@code vulnerabilities.new_finding}
 * @param version the version number, counted from 1
 * @param uri     where Herald hosts this version; events name it in {@code dataschema}
 * @param aliases external URIs that also name this version (declared with {@code x-herald-aliases})
 * @param schema  the JSON Schema document
 */
public record SchemaVersion(String type, int version, URI uri, List<URI> aliases, JsonNode schema) {

    /** The annotation keyword with which a schema file lists the external URIs that name it. */
    public static final String ALIASES_KEYWORD = "x-herald-aliases";

    public SchemaVersion {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(uri, "uri");
        if (version < 1) {
            throw new IllegalArgumentException("versions count from 1: " + version);
        }
        aliases = List.copyOf(aliases);
        schema = schema.deepCopy();
    }

    /** The JSON Schema document (a copy). */
    @Override
    public JsonNode schema() {
        return schema.deepCopy();
    }

    /** Whether {@code candidate} is this version's hosted URI or one of its aliases. */
    public boolean isNamedBy(URI candidate) {
        return uri.equals(candidate) || aliases.contains(candidate);
    }

    /**
     * The sample data instances the schema lists under {@code examples}, in order (copies); empty when it lists none.
     * Fixtures and documentation build events from these.
     */
    public List<JsonNode> examples() {
        List<JsonNode> examples = new ArrayList<>();
        schema.path("examples").forEach(example -> examples.add(example.deepCopy()));
        return List.copyOf(examples);
    }
}
