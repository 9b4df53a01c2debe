package dev.herald.cli;

import dev.herald.archive.ArchiveException;
import dev.herald.archive.ArchiveFormat;
import dev.herald.archive.ExportSpec;
import dev.herald.archive.Exporter;
import dev.herald.archive.Redaction;
import dev.herald.schema.SchemaRegistry;
import dev.herald.server.HeraldServer;
import dev.herald.server.config.ServerConfig;
import dev.herald.transport.Transport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code herald export}: the stored events as partitioned Parquet or JSON-lines files. */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Export stored events to files partitioned Hive-style by type and day "
                + "(type=…/date=…/part-N.parquet), with typed columns from the schemas and a _schema.json per "
                + "partition. Reads the store that 'herald serve' uses (same --config, --data, --transport, --set): "
                + "by query where the transport has it, else by replay through a subscription of its own.",
                "Resumable: _manifest.json records what is done; run again (or after a kill) to continue, "
                + "without duplicate rows. Shows a progress bar on a terminal."},
        footer = {"", "Examples:",
                "  herald export --type 'ci.*' --since 2026-11-01T00:00:00Z --until 2026-12-01T00:00:00Z --out ci-nov",
                "  herald export --out train --redact data/user/email --redact-file pii.txt --exclude-project gid://gitlab/Project/7",
                "  herald export --transport postgres --set postgres.url=jdbc:postgresql://db/herald --format jsonl --out dump",
                "", "Exit codes: 0 ok, 1 failure, 2 bad input."})
final class ExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
    Path out;

    @Option(names = "--type", paramLabel = "PATTERN", description = "Type or glob, e.g. ci.* .")
    String type;

    @Option(names = "--project", paramLabel = "GID", description = "Only these projects (repeatable: allow-list).")
    List<String> projects = new ArrayList<>();

    @Option(names = "--exclude-project", paramLabel = "GID", description = "Never these projects (repeatable).")
    List<String> excludedProjects = new ArrayList<>();

    @Option(names = {"--since", "--from"}, paramLabel = "TIME",
            description = "Events whose time is at or after: RFC 3339, or an age such as 7d.")
    String since;

    @Option(names = {"--until", "--to"}, paramLabel = "TIME", description = "Events whose time is before (as --since).")
    String until;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "parquet",
            description = "parquet or jsonl (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--redact", paramLabel = "POINTER",
            description = "Leave out this field: data/user/email, an attribute such as authid, * for every "
                    + "member or element (repeatable).")
    List<String> redact = new ArrayList<>();

    @Option(names = "--redact-file", paramLabel = "FILE", description = "A file of pointers, one a line.")
    Path redactFile;

    @Option(names = "--rows-per-file", paramLabel = "N", defaultValue = "250000",
            description = "Rows per checkpoint: each writes one part file per partition (default: ${DEFAULT-VALUE}).")
    int rowsPerFile;

    @Option(names = "--config", paramLabel = "FILE", description = "The server's configuration file.")
    Path config;

    @Option(names = "--data", paramLabel = "DIR", description = "The server's data directory (default ./herald-data).")
    Path data;

    @Option(names = "--transport", paramLabel = "NAME", description = "embedded (default), postgres or kafka.")
    String transport;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Any server setting (repeatable).")
    Map<String, String> settings = new LinkedHashMap<>();

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        ExportSpec export;
        ServerConfig resolved;
        try {
            ArchiveFormat chosen = switch (format) {
                case "parquet" -> ArchiveFormat.PARQUET;
                case "jsonl" -> ArchiveFormat.JSONL;
                default -> throw new IllegalArgumentException("--format must be parquet or jsonl: " + format);
            };
            Redaction redaction = Redaction.of(redact);
            if (redactFile != null) {
                redaction = redaction.and(Redaction.fromFile(redactFile));
            }
            export = ExportSpec.to(out).withTypePattern(type)
                    .withProjects(new LinkedHashSet<>(projects), new LinkedHashSet<>(excludedProjects))
                    .withTimeRange(instant(since, "--since"), instant(until, "--until"))
                    .withFormat(chosen).withRedaction(redaction).withRowsPerFile(rowsPerFile);
            resolved = ServerConfig.load(config, System.getenv(), flags());
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            err.println("herald export: " + e.getMessage());
            return Herald.BAD_INPUT;
        }
        SchemaRegistry schemas = HeraldServer.registeredSchemas(resolved);
        try (Transport source = resolved.openTransport();
             ProgressBar bar = ProgressBar.onTerminal(System.err)) {
            Exporter.Result result = new Exporter(source, schemas).run(export, bar);
            bar.close();
            err.printf("herald export: %,d rows written (%,d in %s), %,d files, %.1f s, %,.0f rows/s%n",
                    result.rowsThisRun(), result.rowsTotal(), out, result.files(), result.seconds(),
                    result.rowsThisRun() / Math.max(result.seconds(), 1e-9));
            err.flush();
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("herald export: " + e.getMessage());
            return Herald.BAD_INPUT;
        } catch (ArchiveException | java.io.UncheckedIOException e) {
            err.println("herald export: " + e.getMessage());
            return Herald.FAILURE;
        }
    }

    private static Instant instant(String text, String option) {
        String time = EventsCommand.time(text, option);
        return time == null ? null : OffsetDateTime.parse(time).toInstant();
    }

    private Map<String, String> flags() {
        Map<String, String> flags = new LinkedHashMap<>(settings);
        if (data != null) {
            flags.put(ServerConfig.DATA.name(), data.toString());
        }
        if (transport != null) {
            flags.put(ServerConfig.TRANSPORT.name(), transport);
        }
        return flags;
    }
}
