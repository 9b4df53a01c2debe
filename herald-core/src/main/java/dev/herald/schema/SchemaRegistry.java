package dev.herald.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.herald.event.DataSchemaResolver;
import dev.herald.event.Violation;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The event types Herald knows, each declared by a versioned JSON Schema, and the validation of event
 * data against them.
 *
 * <p>A catalog directory holds {@code <dir>/<type>/v<N>.json}, for example
 * {@code vulnerabilities.new_finding/v1.json}, with versions 1..n and no gaps. A file without
 * {@code $schema} is read in the {@linkplain Options#defaultDialect() default dialect} (2020-12 unless
 * chosen otherwise). Version N of a type is hosted at {@code baseUri + type + "/v" + N}; a file may list
 * further URIs that name the same version, such as GitLab's, under the annotation keyword
 * {@value SchemaVersion#ALIASES_KEYWORD}:
 * <pre>{@code "x-herald-aliases": ["https://schemas.gitlab.com/17.5/vulnerabilities/new_finding.json"]}</pre>
 *
 * <p>Every schema is checked against its draft's meta-schema and compiled once, at load or registration.
 * The registry is thread-safe: lookups and validation read an immutable snapshot without locking, and
 * {@link #register} publishes a new snapshot.
 *
 * <p>A registry {@linkplain #open(SchemaStore, Options) opened on a store} shares its versions with every
 * other registry on that store: it stores what it registers, and {@link #refresh()} adds what the others
 * stored (the Herald server calls it when another instance announces a registration).
 */
public final class SchemaRegistry implements DataSchemaResolver {

    /**
     * How a registry names and reads its schemas.
     *
     * @param baseUri        the URI under which versions are hosted; must be absolute and end with {@code /}
     * @param defaultDialect the draft assumed for schema files without {@code $schema}
     */
    public record Options(URI baseUri, SchemaDialect defaultDialect) {

        /** Where Herald's server serves schemas: {@code http://localhost:8080/v1/schemas/}. */
        public static final URI DEFAULT_BASE_URI = URI.create("http://localhost:8080/v1/schemas/");

        public Options {
            Objects.requireNonNull(baseUri, "baseUri");
            Objects.requireNonNull(defaultDialect, "defaultDialect");
            if (!baseUri.isAbsolute() || !baseUri.toString().endsWith("/")) {
                throw new IllegalArgumentException("the base URI must be absolute and end with '/': " + baseUri);
            }
        }

        /** Hosted at {@link #DEFAULT_BASE_URI}, draft 2020-12 by default. */
        public static Options defaults() {
            return new Options(DEFAULT_BASE_URI, SchemaDialect.DRAFT_2020_12);
        }

        /** These options with another base URI. */
        public Options withBaseUri(URI baseUri) {
            return new Options(baseUri, defaultDialect);
        }

        /** These options with another default dialect, e.g. {@link SchemaDialect#DRAFT_7} for GitLab's schemas. */
        public Options withDefaultDialect(SchemaDialect defaultDialect) {
            return new Options(baseUri, defaultDialect);
        }

        URI hostedUri(String type, int version) {
            return URI.create(baseUri + type + "/v" + version);
        }
    }

    /** How often {@link #register} catches up with its store and retries after losing a race for a version. */
    private static final int REGISTER_ATTEMPTS = 5;

    private final Options options;
    /** Where {@link #register} writes new versions; null for a catalog that is not a writable directory. */
    private final Path directory;
    /** Where {@link #register} stores new versions and {@link #refresh} finds others'; null when none. */
    private final SchemaStore store;
    private final SchemaCompiler compiler;
    private volatile Catalog catalog = Catalog.EMPTY;

    private SchemaRegistry(Options options, Path directory, SchemaStore store) {
        this.options = options;
        this.directory = directory;
        this.store = store;
        this.compiler = new SchemaCompiler(options.defaultDialect());
    }

    /**
     * Loads the catalog in {@code dir} with {@linkplain Options#defaults() default options}; new versions
     * are written back there.
     *
     * @throws SchemaCatalogException naming the file when the layout is broken or a schema is unusable
     */
    public static SchemaRegistry load(Path dir) {
        return load(dir, Options.defaults());
    }

    /**
     * Loads the catalog in {@code dir}; new versions are written back there.
     *
     * @throws SchemaCatalogException naming the file when the layout is broken or a schema is unusable
     */
    public static SchemaRegistry load(Path dir, Options options) {
        SchemaRegistry registry = new SchemaRegistry(options, dir, null);
        registry.addAll(dir);
        return registry;
    }

    /**
     * Opens the catalog kept in {@code store}: every version stored there, and those {@link #register}
     * stores there next.
     *
     * @throws SchemaCatalogException naming the version when a stored schema is unusable
     */
    public static SchemaRegistry open(SchemaStore store, Options options) {
        SchemaRegistry registry = new SchemaRegistry(options, null, Objects.requireNonNull(store, "store"));
        registry.refresh();
        return registry;
    }

    /**
     * Adds the versions that other registries on this registry's {@linkplain #open(SchemaStore, Options)
     * store} stored since it last looked; does nothing for a registry without a store.
     *
     * @throws SchemaCatalogException when a stored version is unusable; the other types' versions are added
     *                                regardless, that type's stop before it
     */
    public synchronized void refresh() {
        SchemaCatalogException failure = catchUp();
        if (failure != null) {
            throw failure;
        }
    }

    /** Adds the store's new versions; returns what failed (the first failure, others suppressed), or null. */
    private SchemaCatalogException catchUp() {
        if (store == null) {
            return null;
        }
        Catalog loaded = catalog;
        Map<String, Integer> known = new HashMap<>();
        loaded.types().forEach(type -> known.put(type, loaded.versions(type).size()));
        Catalog added = loaded;
        Set<String> broken = new HashSet<>();
        SchemaCatalogException failure = null;
        for (SchemaStore.Stored stored : store.newerThan(known)) {
            String source = stored.type() + " v" + stored.version() + " (stored)";
            if (broken.contains(stored.type())) {
                continue;
            }
            try {
                int expected = added.versions(stored.type()).size() + 1;
                if (stored.version() != expected) {
                    throw new SchemaCatalogException(source, "the store lacks v" + expected + " before it");
                }
                added = added.plus(compile(stored.type(), stored.version(), stored.schema(), source), source);
            } catch (SchemaCatalogException e) {
                broken.add(stored.type());
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        catalog = added;
        return failure;
    }

    /**
     * The catalog shipped with Herald (GitLab-like event types), with default options. Each call returns
     * a new registry; versions registered in it live in memory only.
     */
    public static SchemaRegistry builtinCatalog() {
        return builtinCatalog(Options.defaults());
    }

    /**
     * The catalog shipped with Herald, hosted under {@code options}' base URI. Each call returns a new
     * registry; versions registered in it live in memory only.
     */
    public static SchemaRegistry builtinCatalog(Options options) {
        return builtinCatalog(options, SchemaRegistry.class.getClassLoader());
    }

    static SchemaRegistry builtinCatalog(Options options, ClassLoader classLoader) {
        SchemaRegistry registry = new SchemaRegistry(options, null, null);
        BuiltinCatalog.readAll(classLoader, registry::addAll);
        return registry;
    }

    /** Adds every version in {@code dir} to the catalog (all or nothing). */
    private void addAll(Path dir) {
        Catalog loaded = catalog;
        for (CatalogDirectory.SchemaFile file : CatalogDirectory.read(dir)) {
            String source = file.path().toString();
            loaded = loaded.plus(compile(file.type(), file.version(), file.schema(), source), source);
        }
        catalog = loaded;
    }

    /** The options this registry was created with. */
    public Options options() {
        return options;
    }

    /** Every event type with at least one schema version, in name order. */
    public Set<String> types() {
        return catalog.types();
    }

    /** The versions of {@code type}, oldest first; empty when the type is unknown. */
    public List<SchemaVersion> versions(String type) {
        return catalog.versions(type).stream().map(Catalog.Entry::version).toList();
    }

    /** The newest version of {@code type}. */
    public Optional<SchemaVersion> latest(String type) {
        return catalog.latest(type).map(Catalog.Entry::version);
    }

    /** Version {@code version} of {@code type}. */
    public Optional<SchemaVersion> find(String type, int version) {
        List<Catalog.Entry> versions = catalog.versions(type);
        return version >= 1 && version <= versions.size()
                ? Optional.of(versions.get(version - 1).version())
                : Optional.empty();
    }

    /** The version hosted at {@code uri}, or that declares {@code uri} as an alias. */
    public Optional<SchemaVersion> byUri(URI uri) {
        return catalog.byUri(uri).map(Catalog.Entry::version);
    }

    /** The hosted URI of {@code type}'s newest version: what a new event of that type names in {@code dataschema}. */
    @Override
    public Optional<URI> currentSchema(String type) {
        return latest(type).map(SchemaVersion::uri);
    }

    /**
     * Validates an event's data against its type's schema.
     *
     * <p>With a {@code dataschema}, the data is checked against the version that URI names (hosted or alias),
     * which must be a version of {@code type}; without one, against the type's newest version. Problems
     * in the data come back as violations at {@code data/<json-pointer>} (the root is {@code data}), with
     * the keyword and what it demands as the rule, e.g. {@code required: property 'title' is missing}.
     *
     * @param type       the event type
     * @param dataschema the event's {@code dataschema}, or null when it has none
     * @param data       the event's data; null is validated as JSON {@code null}
     * @return every violation found; empty when the data is valid
     */
    public List<Violation> validate(String type, URI dataschema, JsonNode data) {
        List<Catalog.Entry> versions = catalog.versions(type);
        if (versions.isEmpty()) {
            return List.of(new Violation("type", "no schema is registered for this type", type));
        }
        Optional<Catalog.Entry> target = dataschema == null
                ? Optional.of(versions.getLast())
                : versions.stream().filter(e -> e.version().isNamedBy(dataschema)).findFirst();
        if (target.isEmpty()) {
            return List.of(new Violation("dataschema",
                    "is neither a hosted schema nor an alias of a version of type " + type, dataschema.toString()));
        }
        return DataViolations.from(target.get().compiled().validate(data == null ? NullNode.getInstance() : data));
    }

    /**
     * Adds {@code schema} as the next version of {@code type} (version 1 for a new type), provided it has
     * {@code mode} compatibility with the current newest version. When the registry was loaded from a
     * directory the new version is written there as {@code <type>/v<N>.json}, atomically, before it
     * becomes visible; when it was opened on a store, it is stored there first. A registry that finds its
     * store already holds that version (another registry stored it meanwhile) catches up and decides
     * again on top of it. Registering a schema identical to the newest version changes nothing and returns
     * that version, so repeating a deployment is harmless.
     *
     * @return the new (or identical newest) version
     * @throws IncompatibleSchemaException with every reason, when the compatibility does not hold
     * @throws SchemaCatalogException      when the schema is not a valid JSON Schema or claims a URI
     *                                     that already names another version
     * @throws java.io.UncheckedIOException when the file cannot be written; the registry is unchanged
     */
    public synchronized SchemaVersion register(String type, JsonNode schema, Compatibility mode) {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(mode, "mode");
        if (!CatalogDirectory.isTypeName(Objects.requireNonNull(type, "type"))) {
            throw new IllegalArgumentException("'" + type + "' is not a valid event type name");
        }
        for (int attempt = 1; ; attempt++) {
            Catalog current = catalog;
            Optional<SchemaVersion> latest = current.latest(type).map(Catalog.Entry::version);
            if (latest.isPresent() && latest.get().schema().equals(schema)) {
                return latest.get();
            }
            int next = latest.map(SchemaVersion::version).orElse(0) + 1;
            String source = directory == null ? type + " v" + next
                    : CatalogDirectory.fileOf(directory, type, next).toString();
            if (!schema.isObject()) {
                throw new SchemaCatalogException(source, "a schema must be a JSON object");
            }
            Catalog.Entry entry = compile(type, next, schema, source);
            if (latest.isPresent()) {
                List<Incompatibility> reasons = CompatibilityChecker.check(mode, latest.get().schema(), schema);
                if (!reasons.isEmpty()) {
                    throw new IncompatibleSchemaException(type, latest.get().version(), mode, reasons);
                }
            }
            Catalog updated = current.plus(entry, source);
            if (persist(entry.version())) {
                catalog = updated;
                return entry.version();
            }
            if (attempt == REGISTER_ATTEMPTS) {
                throw new SchemaCatalogException(source, "other registrations of " + type + " stored v" + next
                        + " first " + attempt + " times in a row; try again");
            }
            catchUp();
        }
    }

    /** Writes a new version where this registry keeps them; false when its store already holds that version. */
    private boolean persist(SchemaVersion version) {
        if (directory != null) {
            CatalogDirectory.write(directory, version.type(), version.version(), version.schema());
        }
        return store == null || store.add(new SchemaStore.Stored(version.type(), version.version(), version.schema()),
                version.aliases());
    }

    private Catalog.Entry compile(String type, int version, JsonNode schema, String source) {
        SchemaVersion schemaVersion = new SchemaVersion(type, version, options.hostedUri(type, version),
                aliases(schema, source), schema);
        return new Catalog.Entry(schemaVersion, compiler.compile(source, schemaVersion.uri(), schemaVersion.schema()));
    }

    private static List<URI> aliases(JsonNode schema, String source) {
        JsonNode declared = schema.get(SchemaVersion.ALIASES_KEYWORD);
        if (declared == null) {
            return List.of();
        }
        String expected = SchemaVersion.ALIASES_KEYWORD + " must be an array of absolute URIs";
        if (!declared.isArray()) {
            throw new SchemaCatalogException(source, expected + ", not " + declared);
        }
        List<URI> aliases = new ArrayList<>();
        for (JsonNode alias : declared) {
            aliases.add(absoluteUri(alias).orElseThrow(
                    () -> new SchemaCatalogException(source, expected + "; " + alias + " is not one")));
        }
        return aliases;
    }

    private static Optional<URI> absoluteUri(JsonNode text) {
        try {
            return text.isTextual() ? Optional.of(new URI(text.asText())).filter(URI::isAbsolute) : Optional.empty();
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }
}
