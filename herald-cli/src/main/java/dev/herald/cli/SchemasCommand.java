package dev.herald.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.schema.Compatibility;
import dev.herald.schema.CompatibilityChecker;
import dev.herald.schema.Incompatibility;
import dev.herald.schema.SchemaCatalogException;
import dev.herald.schema.SchemaRegistry;
import dev.herald.schema.SchemaVersion;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code herald schemas list|show|check}. */
@Command(name = "schemas", mixinStandardHelpOptions = true,
        description = "List event types, show a schema, check a schema directory's versions for compatibility.",
        subcommands = {SchemasCommand.ListTypes.class, SchemasCommand.Show.class, SchemasCommand.Check.class})
final class SchemasCommand {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** {@code herald schemas list}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List event types with their versions and current schema URI.",
            footer = {"", "Example:", "  herald schemas list --schemas ./schemas"})
    static final class ListTypes implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        SchemaOptions schemas;

        @Override
        public Integer call() {
            return withRegistry(spec, schemas, registry -> {
                PrintWriter out = spec.commandLine().getOut();
                for (String type : registry.types()) {
                    List<SchemaVersion> versions = registry.versions(type);
                    SchemaVersion latest = versions.getLast();
                    out.printf("%-32s v%-3d %s%n", type, latest.version(), latest.uri());
                }
                return 0;
            });
        }
    }

    /** {@code herald schemas show TYPE}. */
    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Print a type's schema (the latest version unless --version is given).",
            footer = {"", "Example:", "  herald schemas show vulnerabilities.new_finding --version 1"})
    static final class Show implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        SchemaOptions schemas;

        @Parameters(paramLabel = "TYPE", description = "The event type.")
        String type;

        @Option(names = "--version", paramLabel = "N", description = "The version to show.")
        Integer version;

        @Override
        public Integer call() {
            return withRegistry(spec, schemas, registry -> {
                Optional<SchemaVersion> found = version == null ? registry.latest(type) : registry.find(type, version);
                if (found.isEmpty()) {
                    spec.commandLine().getErr().println(type + (version == null ? "" : " v" + version)
                            + ": no such type or version (see: herald schemas list)");
                    return Herald.BAD_INPUT;
                }
                spec.commandLine().getOut().println(MAPPER.writerWithDefaultPrettyPrinter()
                        .writeValueAsString(found.get().schema()));
                return 0;
            });
        }
    }

    /** {@code herald schemas check DIR}. */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Load a schema directory and check that each type's consecutive versions are "
                    + "compatible.", "Exits 2 with one line per incompatibility (type, versions, schema "
                    + "location, reason) when a version breaks the rule."},
            footer = {"", "Examples:", "  herald schemas check ./schemas",
                    "  herald schemas check --mode FULL ./schemas"})
    static final class Check implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "DIR", description = "The schema directory (<type>/v<N>.json).")
        Path directory;

        @Option(names = "--mode", paramLabel = "MODE",
                description = "BACKWARD, FORWARD, FULL or NONE (default: ${DEFAULT-VALUE}).")
        Compatibility mode = Compatibility.BACKWARD;

        @Override
        public Integer call() {
            SchemaOptions options = new SchemaOptions();
            options.directory = directory;
            return withRegistry(spec, options, registry -> {
                PrintWriter err = spec.commandLine().getErr();
                int problems = 0;
                int pairs = 0;
                for (String type : registry.types()) {
                    List<SchemaVersion> versions = registry.versions(type);
                    for (int i = 1; i < versions.size(); i++) {
                        pairs++;
                        SchemaVersion previous = versions.get(i - 1);
                        SchemaVersion next = versions.get(i);
                        for (Incompatibility reason : CompatibilityChecker.check(mode, previous.schema(),
                                next.schema())) {
                            err.printf("%s v%d -> v%d: %s%n", type, previous.version(), next.version(), reason);
                            problems++;
                        }
                    }
                }
                if (problems > 0) {
                    return Herald.BAD_INPUT;
                }
                spec.commandLine().getOut().printf("compatible (%s): %d types, %d version pairs checked%n",
                        mode, registry.types().size(), pairs);
                return 0;
            });
        }
    }

    /** Work that needs the registry. */
    @FunctionalInterface
    private interface RegistryWork {
        int run(SchemaRegistry registry) throws Exception;
    }

    /** Loads the registry; a broken directory is bad input (exit 2) with the file and problem named. */
    private static int withRegistry(CommandSpec spec, SchemaOptions options, RegistryWork work) {
        SchemaRegistry registry;
        try {
            registry = options.registry();
        } catch (SchemaCatalogException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return Herald.BAD_INPUT;
        }
        try {
            return work.run(registry);
        } catch (Exception e) {
            spec.commandLine().getErr().println("failed: " + e);
            return Herald.FAILURE;
        }
    }
}
