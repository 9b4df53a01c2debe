package dev.herald.schema;

/**
 * The JSON Schema draft a registry assumes for schema files that do not name one with {@code $schema}.
 * A file's own {@code $schema} always wins.
 */
public enum SchemaDialect {

    /** Draft-07: the dialect of GitLab's EventStore schemas, which never declare {@code $schema}. */
    DRAFT_7("http://json-schema.org/draft-07/schema#"),

    /** Draft 2020-12: Herald's own catalog and the default. */
    DRAFT_2020_12("https://json-schema.org/draft/2020-12/schema");

    private final String metaSchemaUri;

    SchemaDialect(String metaSchemaUri) {
        this.metaSchemaUri = metaSchemaUri;
    }

    /** The URI that names this draft in a schema's {@code $schema} keyword. */
    public String metaSchemaUri() {
        return metaSchemaUri;
    }
}
