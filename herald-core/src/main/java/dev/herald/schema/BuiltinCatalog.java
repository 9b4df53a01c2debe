package dev.herald.schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/**
 * Gives the catalog shipped on the classpath ({@code herald/catalog/}) to code that reads directories,
 * whether it sits in a build's output directory or inside a jar, so the shipped catalog and a user's
 * catalog go through the same loader and the same checks.
 */
final class BuiltinCatalog {

    static final String RESOURCE = "herald/catalog";

    private BuiltinCatalog() {
    }

    /** Applies {@code reader} to the shipped catalog directory, which is only valid during the call. */
    static <T> T read(ClassLoader classLoader, Function<Path, T> reader) {
        URL url = classLoader.getResource(RESOURCE);
        if (url == null) {
            throw new IllegalStateException("Herald's built-in schema catalog (" + RESOURCE + ") is not on the classpath");
        }
        try {
            URI uri = url.toURI();
            if (!"jar".equals(uri.getScheme())) {
                return reader.apply(Path.of(uri));
            }
            // jar:file:/…/herald-core.jar!/herald/catalog: open the jar as a file system to list it.
            String spec = uri.toString();
            int separator = spec.indexOf("!/");
            URI jar = URI.create(spec.substring(0, separator));
            String inside = spec.substring(separator + 1);
            try (FileSystem fs = FileSystems.newFileSystem(jar, Map.of())) {
                return reader.apply(fs.getPath(inside));
            } catch (FileSystemAlreadyExistsException alreadyOpen) {
                // Someone else holds it open; use theirs and leave closing to them.
                return reader.apply(FileSystems.getFileSystem(jar).getPath(inside));
            }
        } catch (URISyntaxException e) {
            throw new IllegalStateException("unreadable location of the built-in schema catalog: " + url, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the built-in schema catalog at " + url, e);
        }
    }
}
