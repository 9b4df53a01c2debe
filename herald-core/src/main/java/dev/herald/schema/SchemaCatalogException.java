package dev.herald.schema;

/**
 * Thrown when a schema catalog, or one schema in it, cannot be used: a bad directory layout, a file that
 * is not JSON, a document that is not a valid JSON Schema, an alias claimed twice. The message starts
 * with the offending file (or, for a schema being registered, the type and version) so it can be fixed
 * without searching.
 */
public class SchemaCatalogException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String source;

    /**
     * @param source  the file, or {@code <type> v<N>} for a schema that has no file yet
     * @param problem what is wrong with it
     */
    public SchemaCatalogException(String source, String problem) {
        this(source, problem, null);
    }

    /**
     * @param source  the file, or {@code <type> v<N>} for a schema that has no file yet
     * @param problem what is wrong with it
     * @param cause   the underlying failure, if any
     */
    public SchemaCatalogException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
        this.source = source;
    }

    /** The offending file, or {@code <type> v<N>} for a schema that has no file yet. */
    public String source() {
        return source;
    }
}
