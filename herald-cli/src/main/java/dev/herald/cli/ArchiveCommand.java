package dev.herald.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.archive.ArchiveQuery;
import dev.herald.archive.ArchiveStatus;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code herald archive status|query}: look at an export directory or the server's continuous archive. */
@Command(name = "archive", mixinStandardHelpOptions = true,
        description = "Inspect and query a directory written by 'herald export' or by the server's archive "
                + "(archive.dir).",
        subcommands = {ArchiveCommand.Status.class, ArchiveCommand.Query.class})
final class ArchiveCommand {

    /** {@code herald archive status [--dir DIR]}. */
    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"How far an archive has got: rows, files, newest event and its lag.",
                    "With --dir, from that directory's manifest (an export, or any archive); without, from the "
                            + "server's continuous archive (archive.dir), with the events it has still to write "
                            + "(admin token)."})
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Option(names = "--dir", paramLabel = "DIR", description = "An export or archive directory.")
        Path dir;

        @Override
        public Integer call() {
            if (dir == null) {
                return SubscriptionsCommand.remote(spec, client, (server, out) -> {
                    printServer(out, server.send("GET", "/v1/archive", null, null, true).json());
                    return 0;
                });
            }
            PrintWriter out = spec.commandLine().getOut();
            Optional<ArchiveStatus> status = ArchiveStatus.of(dir);
            if (status.isEmpty()) {
                spec.commandLine().getErr().println("herald archive: no manifest in " + dir);
                return Herald.BAD_INPUT;
            }
            ArchiveStatus s = status.get();
            out.printf("rows        %,d%n", s.rows());
            out.printf("files       %d (checkpoint %d)%n", s.files(), s.checkpoint());
            out.printf("newest      %s%n", s.lastEvent().map(Instant::toString).orElse("-"));
            out.printf("lag         %s%n", s.lag(Instant.now()).map(Duration::toString).orElse("-"));
            out.printf("complete    %s%n", s.complete() ? "yes" : "no (run the export again to continue)");
            out.flush();
            return 0;
        }

        private static void printServer(PrintWriter out, JsonNode status) {
            out.printf("dir         %s%n", status.path("dir").asText());
            out.printf("rows        %,d%n", status.path("rows").asLong());
            out.printf("files       %d (checkpoint %d)%n", status.path("files").asInt(),
                    status.path("checkpoint").asInt());
            out.printf("newest      %s%n",
                    status.path("lastEvent").isTextual() ? status.path("lastEvent").asText() : "-");
            long backlog = status.path("backlog").asLong();
            out.printf("behind      %s%n", backlog < 0 ? "- (not started)"
                    : String.format("%,d events not archived yet (%,d of them being written)", backlog,
                    status.path("inFlight").asLong()));
            out.printf("lag         %s%n", status.path("lagSeconds").isNumber()
                    ? Duration.ofMillis(Math.round(status.path("lagSeconds").asDouble() * 1000)) : "-");
            if (status.path("lastError").isTextual()) {
                out.printf("last error  %s%n", status.path("lastError").asText());
            }
        }
    }

    /** {@code herald archive query --dir DIR "SELECT …"}. */
    @Command(name = "query", mixinStandardHelpOptions = true,
            description = {"Run SQL (DuckDB) over the directory's Parquet files: the view 'events' has every row.",
                    "Example: herald archive query --dir ci-nov \"SELECT type, count(*) FROM events GROUP BY type\""})
    static final class Query implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The export directory.")
        Path dir;

        @Option(names = "--max-rows", paramLabel = "N", defaultValue = "1000",
                description = "Most rows to print (default: ${DEFAULT-VALUE}).")
        int maxRows;

        @Parameters(paramLabel = "SQL", description = "One SQL statement.")
        String sql;

        @Override
        public Integer call() {
            ArchiveQuery.Answer answer;
            try {
                answer = ArchiveQuery.run(dir, sql, maxRows);
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("herald archive query: " + e.getMessage());
                return Herald.BAD_INPUT;
            }
            List<String[]> rows = new ArrayList<>();
            answer.rows().forEach(row -> rows.add(row.stream().map(v -> v == null ? "NULL" : v)
                    .toArray(String[]::new)));
            Tables.print(spec.commandLine().getOut(), answer.columns().toArray(String[]::new), rows);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
