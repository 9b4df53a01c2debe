package dev.herald.cli;

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
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code herald archive status|query}: look at an export directory. */
@Command(name = "archive", mixinStandardHelpOptions = true,
        description = "Inspect and query a directory written by 'herald export'.",
        subcommands = {ArchiveCommand.Status.class, ArchiveCommand.Query.class})
final class ArchiveCommand {

    /** {@code herald archive status DIR}. */
    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "How far the directory has got: rows, files, newest event and its lag behind now.")
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The export directory.")
        Path dir;

        @Override
        public Integer call() {
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
