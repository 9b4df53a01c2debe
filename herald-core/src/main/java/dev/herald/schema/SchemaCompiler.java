package dev.herald.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaException;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.dialect.DefaultDialectRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.AnnotationKeyword;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Turns schema documents into validators (networknt json-schema-validator), refusing documents that are
 * not valid JSON Schema in their dialect. The only class that talks to the validator library.
 */
final class SchemaCompiler {

    /**
     * Validates schema documents against the drafts' meta-schemas. Meta-schemas never change, so one
     * instance serves every registry; it reads them from the library's classpath copies, never the network.
     */
    private static final com.networknt.schema.SchemaRegistry META =
            newValidatorRegistry(SchemaDialect.DRAFT_2020_12.metaSchemaUri());
    private static final Map<SpecificationVersion, Schema> META_SCHEMAS = new ConcurrentHashMap<>();

    /**
     * Compiles the documents of one registry. Not shared between registries: the library caches by
     * location, and two registries may host different documents at the same URI.
     */
    private final com.networknt.schema.SchemaRegistry compiler;
    private final SchemaDialect defaultDialect;

    SchemaCompiler(SchemaDialect defaultDialect) {
        this.defaultDialect = defaultDialect;
        this.compiler = newValidatorRegistry(defaultDialect.metaSchemaUri());
    }

    /**
     * Checks {@code schema} against its dialect's meta-schema and compiles it, resolving every
     * {@code $ref} now so that a broken reference fails here rather than on the first event.
     *
     * @param source   names the document in error messages (a file path or {@code <type> v<N>})
     * @param location the URI the document is hosted at; relative references resolve against it
     * @throws SchemaCatalogException when the document is not a usable schema
     */
    Schema compile(String source, URI location, JsonNode schema) {
        SpecificationVersion draft = dialectOf(source, schema);
        List<com.networknt.schema.Error> metaErrors = metaSchema(draft).validate(schema);
        if (!metaErrors.isEmpty()) {
            throw new SchemaCatalogException(source, "not a valid JSON Schema (" + draft.getDialectId() + "): "
                    + metaErrors.stream().map(SchemaCompiler::describe).collect(Collectors.joining("; ")));
        }
        try {
            Schema compiled = compiler.getSchema(SchemaLocation.of(location.toString()), schema);
            compiled.initializeValidators();
            return compiled;
        } catch (SchemaException e) {
            throw new SchemaCatalogException(source, "cannot compile the schema: " + e.getMessage(), e);
        }
    }

    private SpecificationVersion dialectOf(String source, JsonNode schema) {
        JsonNode declared = schema.get("$schema");
        String id = declared == null ? defaultDialect.metaSchemaUri() : declared.asText();
        return knownDraft(id).orElseThrow(() -> new SchemaCatalogException(source,
                "unsupported $schema '" + id + "'; supported: " + Arrays.stream(SpecificationVersion.values())
                        .map(SpecificationVersion::getDialectId).collect(Collectors.joining(", "))));
    }

    /** Matches a {@code $schema} value to a draft, tolerating the optional empty fragment ({@code #}). */
    private static Optional<SpecificationVersion> knownDraft(String id) {
        String bare = stripEmptyFragment(id);
        return Arrays.stream(SpecificationVersion.values())
                .filter(v -> stripEmptyFragment(v.getDialectId()).equals(bare))
                .findFirst();
    }

    private static String stripEmptyFragment(String id) {
        return id.endsWith("#") ? id.substring(0, id.length() - 1) : id;
    }

    private static Schema metaSchema(SpecificationVersion draft) {
        return META_SCHEMAS.computeIfAbsent(draft, d -> META.getSchema(SchemaLocation.of(d.getDialectId())));
    }

    private static String describe(com.networknt.schema.Error error) {
        String at = error.getInstanceLocation().toString();
        return (at.isEmpty() ? "(root)" : at) + " " + error.getMessage();
    }

    /**
     * A validator registry whose dialects know Herald's alias keyword (so it is an annotation, not an
     * "unknown keyword" warning), that asserts {@code format} (a {@code date-time} field holding
     * "yesterday" is a producer bug worth refusing, and GitLab's json_schemer asserts formats too), and
     * that never fetches schemas over the network.
     */
    private static com.networknt.schema.SchemaRegistry newValidatorRegistry(String defaultDialectId) {
        List<Dialect> dialects = List.of(Dialects.getDraft4(), Dialects.getDraft6(), Dialects.getDraft7(),
                        Dialects.getDraft201909(), Dialects.getDraft202012()).stream()
                .map(d -> Dialect.builder(d).keyword(new AnnotationKeyword(SchemaVersion.ALIASES_KEYWORD)).build())
                .toList();
        SchemaRegistryConfig config = SchemaRegistryConfig.builder()
                .formatAssertionsEnabled(true)
                .locale(Locale.ENGLISH)
                .build();
        return com.networknt.schema.SchemaRegistry.builder()
                .defaultDialectId(defaultDialectId)
                .dialectRegistry(new DefaultDialectRegistry(dialects))
                .schemaLoader(loader -> loader.fetchRemoteResources(false))
                .schemaRegistryConfig(config)
                .build();
    }
}
