package dev.herald.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.schema.SchemaRegistry;
import dev.herald.schema.SchemaVersion;
import dev.herald.server.config.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's schema registry: the directory {@code schemas.dir}, into which the catalog shipped with
 * Herald is copied first (unless {@code schemas.builtin=false}), so that the directory alone is the
 * complete catalog and versions registered through the API are written next to the shipped ones.
 *
 * <p>Copying never overwrites: a type the directory lacks gets all shipped versions; a type whose
 * versions are the shipped ones gets the shipped versions it lacks (a newer Herald shipping v3); a type
 * whose versions differ from the shipped ones (registered locally) is left alone, with a warning when
 * Herald ships versions it does not have.
 */
final class SchemaCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaCatalog.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private SchemaCatalog() {
    }

    static SchemaRegistry open(ServerConfig config) {
        Path dir = config.schemasDir();
        SchemaRegistry.Options options = SchemaRegistry.Options.defaults().withBaseUri(config.schemasBaseUri());
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the schema directory " + dir, e);
        }
        if (config.get(ServerConfig.SCHEMAS_BUILTIN)) {
            SchemaRegistry shipped = SchemaRegistry.builtinCatalog(options);
            for (String type : shipped.types()) {
                seed(dir, type, shipped.versions(type));
            }
        }
        return SchemaRegistry.load(dir, options);
    }

    private static void seed(Path dir, String type, List<SchemaVersion> shipped) {
        Path typeDir = dir.resolve(type);
        int present = 0;
        while (Files.exists(typeDir.resolve("v" + (present + 1) + ".json"))) {
            present++;
        }
        for (int i = 0; i < Math.min(present, shipped.size()); i++) {
            if (!shipped.get(i).schema().equals(read(typeDir.resolve("v" + (i + 1) + ".json")))) {
                if (present < shipped.size()) {
                    LOG.warn("schema type {} in {} differs from Herald's shipped catalog at v{}; shipped versions "
                            + "v{}..v{} are not added", type, dir, i + 1, present + 1, shipped.size());
                }
                return;
            }
        }
        for (int i = present; i < shipped.size(); i++) {
            write(typeDir.resolve("v" + (i + 1) + ".json"), shipped.get(i).schema());
        }
    }

    private static JsonNode read(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            return null; // unreadable: treated as different; the registry's loader reports it properly
        }
    }

    private static void write(Path file, JsonNode schema) {
        try {
            Files.createDirectories(file.getParent());
            Path temp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
            Files.writeString(temp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(schema) + "\n",
                    StandardCharsets.UTF_8);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
