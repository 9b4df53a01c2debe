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
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Gives the catalog shipped on the classpath ({@code herald/catalog/}) to code that reads directories,
 * whether it sits in a build's output directory or inside a jar, so the shipped catalog and a user's
 * catalog go through the same loader and the same checks.
 *
 * <p>Every classpath entry may ship a part of the catalog (herald-core its own types, herald-gitlab
 * GitLab's), so all of them are read, in classpath order; two parts shipping the same type are refused
 * by the registry like any other clash.
 */
final class BuiltinCatalog {

    static final String RESOURCE = "herald/catalog";

    private BuiltinCatalog() {
    }

    /**
     * Applies {@code reader} to each shipped catalog directory on the classpath; a directory is only
     * valid during its call.
     */
    static void readAll(ClassLoader classLoader, Consumer<Path> reader) {
        List<URL> urls;
        try {
            urls = Collections.list(classLoader.getResources(RESOURCE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the built-in schema catalogs on the classpath", e);
        }
        if (urls.isEmpty()) {
            throw new IllegalStateException("Herald's built-in schema catalog (" + RESOURCE + ") is not on the classpath");
        }
        urls.forEach(url -> read(url, dir -> {
            reader.accept(dir);
            return null;
        }));
    }

    /** Applies {@code reader} to one shipped catalog directory, which is only valid during the call. */
    private static <T> T read(URL url, Function<Path, T> reader) {
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
