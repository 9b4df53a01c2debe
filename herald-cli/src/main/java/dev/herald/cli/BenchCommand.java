package dev.herald.cli;

import dev.herald.bench.Bench;
import dev.herald.bench.ExportBench;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

/** {@code herald bench}: load runs with their baselines measured in the same run. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure Herald on this machine, with raw baselines measured in the same run.",
                "embedded: durable publish throughput (1.5 KB fat events, concurrent publishers) against raw "
                        + "SQLite inserts, and publish->handler latency p50/p90/p99.",
                "export: herald export of fat events to Parquet against DuckDB's own COPY of the same events "
                        + "from JSONL (--events N, default 100000)."},
        footer = {"", "Options of 'embedded': --events N (20000) --publishers P (16) --rate R (1000/s) "
                + "--seconds S (5) --data DIR", "", "Example:", "  herald bench embedded --events 50000 --publishers 32"})
final class BenchCommand implements Callable<Integer> {

    @Parameters(paramLabel = "WHAT", arity = "0..1", description = "What to measure: embedded (the default) or export.")
    String what = "embedded";

    /** The benchmark's own options, passed through as given. */
    @Unmatched
    List<String> options = new ArrayList<>();

    @Override
    public Integer call() {
        if (what.equals("export")) {
            return ExportBench.run(options.toArray(String[]::new), System.out);
        }
        List<String> args = new ArrayList<>(List.of(what));
        args.addAll(options);
        return Bench.run(args.toArray(String[]::new), System.out);
    }
}
