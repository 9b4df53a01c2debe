package dev.herald.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.schema.SchemaRegistry;
import dev.herald.schema.SchemaStore;
import dev.herald.schema.SchemaVersion;
import dev.herald.server.config.ServerConfig;
import dev.herald.server.state.ServerDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's schema registry, kept in the server state ({@link StateSchemaStore}) so that every instance
 * sharing the state serves the same catalog: a version registered on one instance is known to the others
 * within a second (change feed), at the latest at the next resync.
 *
 * <p>On start, two catalogs are merged into the state, in this order, never overwriting:
 * <ol>
 *   <li>a schema directory ({@code schemas.dir}) left by a Herald that kept registered schemas as files:
 *       imported once, then marked with {@value #IMPORTED_MARKER} and no longer read;</li>
 *   <li>the catalog shipped with Herald (unless {@code schemas.builtin=false}).</li>
 * </ol>
 * A type the state lacks gets all versions offered; a type whose stored versions are the first ones offered
 * gets the rest (a newer Herald shipping v3); a type whose stored versions differ (registered locally) is
 * left alone, with a warning when versions are offered that it does not have.
 */
final class SchemaCatalog {

    /** The file that marks a schema directory as imported into the state. */
    static final String IMPORTED_MARKER = ".herald-imported";

    private static final Logger LOG = LoggerFactory.getLogger(SchemaCatalog.class);

    private SchemaCatalog() {
    }

    static SchemaRegistry open(ServerConfig config, ServerDatabase db) {
        SchemaRegistry.Options options = SchemaRegistry.Options.defaults().withBaseUri(config.schemasBaseUri());
        StateSchemaStore store = new StateSchemaStore(db);
        importDirectory(config.schemasDir(), store, options);
        if (config.get(ServerConfig.SCHEMAS_BUILTIN)) {
            merge(store, SchemaRegistry.builtinCatalog(options), "Herald's shipped catalog");
        }
        SchemaRegistry registry = read(db, options);
        db.onChange(topic -> {
            if (topic.startsWith(StateSchemaStore.CHANGE_TOPIC) || topic.equals(ServerDatabase.RESYNC)) {
                registry.refresh();
            }
        });
        return registry;
    }

    /** The schemas in the state as they are now (a registry that does not follow later changes by itself). */
    static SchemaRegistry read(ServerDatabase db, SchemaRegistry.Options options) {
        return SchemaRegistry.open(new StateSchemaStore(db), options);
    }

    private static void importDirectory(Path dir, StateSchemaStore store, SchemaRegistry.Options options) {
        Path marker = dir.resolve(IMPORTED_MARKER);
        if (!Files.isDirectory(dir) || Files.exists(marker)) {
            return;
        }
        int added = merge(store, SchemaRegistry.load(dir, options), dir.toAbsolutePath().toString());
        try {
            Files.writeString(marker, "Imported into Herald's server state at " + Instant.now() + " (" + added
                    + " versions added). Herald no longer reads this directory: register schemas through "
                    + "POST /v1/schemas/<type>.\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("imported the schemas of " + dir + " into the server state, but cannot "
                    + "mark the directory as imported (" + marker + "); make it writable or move it away", e);
        }
        LOG.info("schemas: imported {} versions from {} into the server state; the directory is no longer read",
                added, dir.toAbsolutePath());
    }

    /** Adds to the store the versions of {@code offered} it lacks, as the class comment says; returns how many. */
    private static int merge(StateSchemaStore store, SchemaRegistry offered, String origin) {
        Map<String, List<SchemaStore.Stored>> present = store.newerThan(Map.of()).stream()
                .collect(Collectors.groupingBy(SchemaStore.Stored::type));
        int added = 0;
        for (String type : offered.types()) {
            List<SchemaVersion> versions = offered.versions(type);
            List<SchemaStore.Stored> stored = present.getOrDefault(type, List.of());
            Optional<Integer> differing = firstDifference(stored, versions);
            if (differing.isPresent()) {
                if (stored.size() < versions.size()) {
                    LOG.warn("schemas: type {} in the server state differs from {} at v{}; its versions v{}..v{} are "
                            + "not added", type, origin, differing.get(), stored.size() + 1, versions.size());
                }
                continue;
            }
            for (SchemaVersion version : versions.subList(Math.min(stored.size(), versions.size()), versions.size())) {
                if (store.add(new SchemaStore.Stored(type, version.version(), version.schema()), version.aliases())) {
                    added++;
                } else if (!store.document(type, version.version()).map(version.schema()::equals).orElse(false)) {
                    LOG.warn("schemas: {} v{} from {} is not added: the server state holds another v{}, or another "
                            + "version claims one of its aliases", type, version.version(), origin, version.version());
                    break;
                }
                // else another instance starting at the same time added the same version first
            }
        }
        return added;
    }

    /** The first version (from 1) where the stored and offered versions differ, if any. */
    private static Optional<Integer> firstDifference(List<SchemaStore.Stored> stored, List<SchemaVersion> offered) {
        for (int i = 0; i < Math.min(stored.size(), offered.size()); i++) {
            JsonNode schema = stored.get(i).schema();
            if (!schema.equals(offered.get(i).schema())) {
                return Optional.of(i + 1);
            }
        }
        return Optional.empty();
    }
}
