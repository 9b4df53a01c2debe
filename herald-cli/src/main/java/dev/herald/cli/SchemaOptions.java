package dev.herald.cli;

import dev.herald.schema.SchemaRegistry;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --schemas DIR} option shared by commands that need the schema registry. */
final class SchemaOptions {

    @Option(names = "--schemas", paramLabel = "DIR",
            description = "Schema directory (<type>/v<N>.json). Default: the catalog shipped with Herald.")
    Path directory;

    /** The registry from the directory, or the shipped catalog. */
    SchemaRegistry registry() {
        return directory == null ? SchemaRegistry.builtinCatalog() : SchemaRegistry.load(directory);
    }
}
