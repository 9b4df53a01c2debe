package dev.herald.bench;

import dev.herald.archive.ExportSpec;
import dev.herald.archive.Exporter;
import dev.herald.schema.SchemaRegistry;
import dev.herald.store.TopicRouter;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.embedded.EmbeddedOptions;
import dev.herald.transport.embedded.EmbeddedTransport;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code herald bench export}: Herald's export of N fat events from the embedded store to Parquet,
 * against a baseline measured in the same run on the same events: DuckDB's own
 * {@code COPY (FROM read_json('events.jsonl')) TO 'x.parquet'} (zstd), i.e. what a data engineer gets
 * from a JSON-lines dump. Target: Herald ≥ 0.5× the baseline. Writing the JSONL file is not timed;
 * Herald's figure includes reading the store, redaction-ready parsing, typed columns and the manifest.
 */
public final class ExportBench {

    private ExportBench() {
    }

    /** Runs with {@code --events N} (default 100,000) and prints the figures; returns the exit code. */
    public static int run(String[] args, PrintStream out) {
        int events = 100_000;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--events") && i + 1 < args.length) {
                events = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--help") || args[i].equals("-h")) {
                out.println("Usage: herald bench export [--events N]   (default 100000)");
                return 0;
            } else {
                out.println("herald bench export: unknown option " + args[i] + " (options: --events N)");
                return 2;
            }
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("herald-bench-export");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            SchemaRegistry schemas = SchemaRegistry.builtinCatalog();
            FatEvents fat = new FatEvents(schemas);
            Path jsonl = dir.resolve("events.jsonl");
            try (EmbeddedTransport store = EmbeddedTransport.open(dir.resolve("events.db"), EmbeddedOptions.defaults());
                 OutputStream lines = Files.newOutputStream(jsonl)) {
                List<CloudEvent> batch = new ArrayList<>();
                for (int i = 0; i < events; i++) {
                    CloudEvent event = fat.event(i);
                    lines.write(FatEvents.json(event));
                    lines.write('\n');
                    batch.add(event);
                    if (batch.size() == 1000 || i == events - 1) {
                        store.publish(TopicRouter.DEFAULT_TOPIC, EncodedEvent.all(batch));
                        batch = new ArrayList<>();
                    }
                }
                lines.close();
                out.println(Machine.describe());
                out.printf("herald bench export: %,d events of %,d bytes (%s)%n", events,
                        FatEvents.size(fat.event(0)), FatEvents.TYPE);

                double baseline = duckdbCopy(jsonl, dir.resolve("baseline.parquet"));
                Exporter.Result herald = new Exporter(store, schemas).run(ExportSpec.to(dir.resolve("export")),
                        Exporter.Progress.NONE);
                double heraldRate = herald.rowsThisRun() / herald.seconds();
                double baselineRate = events / baseline;
                out.printf("  baseline  DuckDB COPY JSONL -> Parquet   %10.0f events/s  (%.2f s)%n", baselineRate,
                        baseline);
                out.printf("  herald    herald export -> Parquet       %10.0f events/s  (%.2f s)%n", heraldRate,
                        herald.seconds());
                out.printf("  ratio     herald / baseline              %10.2fx  (target >= 0.50x)%n",
                        heraldRate / baselineRate);
            }
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            delete(dir);
        }
    }

    private static double duckdbCopy(Path jsonl, Path parquet) {
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement s = duck.createStatement()) {
            long start = System.nanoTime();
            s.execute("COPY (SELECT * FROM read_json('" + jsonl + "', format = 'newline_delimited')) TO '"
                    + parquet + "' (FORMAT parquet, COMPRESSION zstd)");
            return (System.nanoTime() - start) / 1e9;
        } catch (SQLException e) {
            throw new IllegalStateException("the DuckDB baseline failed: " + e.getMessage(), e);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temporary directory
        }
    }
}
