package dev.herald.schema;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The on-disk layout of a schema catalog: {@code <dir>/<type>/v<N>.json}, versions 1..n without gaps.
 * Reads a whole catalog (refusing anything that does not fit the layout, naming the file) and writes one
 * new version atomically.
 *
 * <p>Entries whose name starts with a dot are skipped: editors, file managers and an interrupted
 * {@link #write} leave such files behind, and they are never part of the catalog.
 */
final class CatalogDirectory {

    /** Reverse-dotted, URI-safe segments: {@code vulnerabilities.new_finding}, {@code com.gitlab.push}. */
    private static final Pattern TYPE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*(\\.[A-Za-z0-9][A-Za-z0-9_-]*)*");
    private static final Pattern VERSION_FILE = Pattern.compile("v([1-9][0-9]{0,8})\\.json");

    /**
     * Strict on purpose: a duplicated key or trailing garbage means the author's intent is unclear, and
     * a schema silently read one way or the other would validate the wrong thing.
     */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** One schema file as read from the catalog. */
    record SchemaFile(String type, int version, Path path, JsonNode schema) {
    }

    private CatalogDirectory() {
    }

    static boolean isTypeName(String name) {
        return TYPE_NAME.matcher(name).matches();
    }

    /** The file that holds {@code type}'s version {@code version} under {@code dir}. */
    static Path fileOf(Path dir, String type, int version) {
        return dir.resolve(type).resolve("v" + version + ".json");
    }

    /**
     * Every schema file under {@code dir}, ordered by type name then version.
     *
     * @throws SchemaCatalogException naming the file when the layout is broken or a file is not a JSON object
     */
    static List<SchemaFile> read(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new SchemaCatalogException(dir.toString(), "not a directory");
        }
        List<SchemaFile> files = new ArrayList<>();
        for (Path typeDir : entries(dir)) {
            String type = typeDir.getFileName().toString();
            if (!Files.isDirectory(typeDir)) {
                throw new SchemaCatalogException(typeDir.toString(),
                        "unexpected file; the catalog holds one directory per event type, each with v<N>.json files");
            }
            if (!isTypeName(type)) {
                throw new SchemaCatalogException(typeDir.toString(), "'" + type + "' is not a valid event type name"
                        + " (dot-separated segments of letters, digits, '_' and '-')");
            }
            readVersions(typeDir).forEach((version, file) -> files.add(new SchemaFile(type, version, file, parse(file))));
        }
        return files;
    }

    private static TreeMap<Integer, Path> readVersions(Path typeDir) {
        TreeMap<Integer, Path> versions = new TreeMap<>();
        for (Path file : entries(typeDir)) {
            Matcher name = VERSION_FILE.matcher(file.getFileName().toString());
            if (!name.matches() || !Files.isRegularFile(file)) {
                throw new SchemaCatalogException(file.toString(),
                        "not a schema version file; expected v<N>.json with N = 1, 2, 3, ... (no leading zeros)");
            }
            versions.put(Integer.parseInt(name.group(1)), file);
        }
        if (versions.isEmpty()) {
            throw new SchemaCatalogException(typeDir.toString(), "holds no schema versions; expected v1.json");
        }
        for (int expected = 1; expected <= versions.lastKey(); expected++) {
            if (!versions.containsKey(expected)) {
                throw new SchemaCatalogException(typeDir.resolve("v" + expected + ".json").toString(),
                        "missing; versions must run from v1 without gaps, found " + versions.values().stream()
                                .map(p -> p.getFileName().toString()).collect(Collectors.joining(", ")));
            }
        }
        return versions;
    }

    private static JsonNode parse(Path file) {
        JsonNode schema;
        try {
            schema = JSON.readTree(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            throw new SchemaCatalogException(file.toString(), "invalid JSON: " + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr(), e);
        } catch (IOException e) {
            throw new SchemaCatalogException(file.toString(), "cannot be read: " + e.getMessage(), e);
        }
        if (schema == null || !schema.isObject()) {
            throw new SchemaCatalogException(file.toString(), "a schema file must hold a JSON object");
        }
        return schema;
    }

    /** The visible entries of a directory in name order (stable error messages across file systems). */
    private static List<Path> entries(Path dir) {
        try (Stream<Path> listing = Files.list(dir)) {
            return listing.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new SchemaCatalogException(dir.toString(), "cannot be listed: " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code schema} as {@code type}'s version {@code version}: to a hidden temporary file in the
     * same directory, then renamed into place, so a reader or a crash never sees a half-written file.
     *
     * @throws UncheckedIOException when the file cannot be written; nothing is left in the catalog then
     */
    static Path write(Path dir, String type, int version, JsonNode schema) {
        Path target = fileOf(dir, type, version);
        Path temp = null;
        try {
            Files.createDirectories(target.getParent());
            if (Files.exists(target)) {
                throw new SchemaCatalogException(target.toString(), "already exists; another process registered it");
            }
            temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
            Files.write(temp, (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(schema) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    private static void deleteQuietly(Path temp) {
        if (temp == null) {
            return;
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // The leftover is a dot-file, which read() skips; nothing more can be done here.
        }
    }
}
