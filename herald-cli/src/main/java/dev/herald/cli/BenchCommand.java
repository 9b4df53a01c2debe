package dev.herald.cli;

import dev.herald.bench.Bench;
import dev.herald.bench.ClusterBench;
import dev.herald.bench.DispatchBench;
import dev.herald.bench.ExportBench;
import dev.herald.bench.HttpBench;
import dev.herald.bench.KafkaBench;
import dev.herald.bench.PostgresBench;
import dev.herald.bench.WebhookBench;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code herald bench WHAT}: load runs with their baselines measured in the same run. Each benchmark
 * owns its options and usage text; this command only finds it by name in {@link #BENCHMARKS}.
 */
@Command(name = "bench",
        description = {"Measure Herald on this machine, with raw baselines measured in the same run.",
                "Every benchmark prints the machine (cores, JDK, load average) and its ratios; "
                        + "'herald bench WHAT --help' lists WHAT's options.",
                "embedded: durable publish throughput (1.5 KB fat events, concurrent publishers) against raw "
                        + "SQLite inserts, and publish->handler latency p50/p90/p99.",
                "dispatch: one and four subscriptions draining a backlog with a no-op handler, and publish->handler "
                        + "latency at a low and a high rate, against raw SQLite reads and one Redis job per "
                        + "subscriber per event (Sidekiq's model).",
                "export: herald export of fat events to Parquet against DuckDB's own COPY of the same events "
                        + "from JSONL (--events N, default 100000).",
                "http: HTTP intake (POST /v1/events, one event per request and batches) against the same server's "
                        + "/healthz and, on PostgreSQL, raw single-row INSERT commits; the server runs in a child "
                        + "process.",
                "webhooks: webhook delivery draining a backlog into a built-in no-op sink, against the sink's own "
                        + "rate.",
                "postgres: the transactional outbox (business row + event per transaction, consumed end to end) "
                        + "against a hand-written SQL outbox, and publish against raw single-row INSERT commits.",
                "kafka: publish events/s and publish->handler latency against the raw KafkaProducer and "
                        + "KafkaConsumer with the same settings (--bootstrap HOST:PORT required).",
                "cluster: intake events/s and webhook deliveries/s with 1, 2 and 3 'herald serve --transport "
                        + "postgres' instances on one PostgreSQL (--postgres-url), against raw single-row INSERT "
                        + "commits/s on the same database."},
        footer = {"", "Example:", "  herald bench embedded --events 50000 --publishers 32"})
final class BenchCommand implements Callable<Integer> {

    /** A benchmark's entry point: its own arguments and where to print; returns the exit code. */
    @FunctionalInterface
    interface Benchmark {
        int run(String[] args, PrintStream out);
    }

    /** The benchmarks by name, in the order the usage lists them. */
    static final Map<String, Benchmark> BENCHMARKS = benchmarks();

    private static Map<String, Benchmark> benchmarks() {
        Map<String, Benchmark> all = new LinkedHashMap<>();
        all.put("embedded", (args, out) -> Bench.run(prepend("embedded", args), out));
        all.put("dispatch", DispatchBench::run);
        all.put("export", ExportBench::run);
        all.put("http", HttpBench::run);
        all.put("webhooks", WebhookBench::run);
        all.put("postgres", PostgresBench::run);
        all.put("kafka", KafkaBench::run);
        all.put("cluster", ClusterBench::run);
        return all;
    }

    @Parameters(paramLabel = "WHAT", arity = "0..1", defaultValue = "embedded",
            description = "What to measure: ${COMPLETION-CANDIDATES} (default: embedded).",
            completionCandidates = Names.class)
    String what = "embedded";

    /**
     * Not picocli's usage-help option: {@code herald bench WHAT --help} must reach WHAT, which prints its
     * own options; only a bare {@code herald bench --help} prints this command's usage.
     */
    @Option(names = {"-h", "--help"}, description = "Show this help, or WHAT's options when WHAT is given.")
    boolean help;

    @Spec
    CommandSpec spec;

    /** The benchmark's own options, passed through as given. */
    @Unmatched
    List<String> options = new ArrayList<>();

    @Override
    public Integer call() {
        boolean whatGiven = spec.commandLine().getParseResult().hasMatchedPositional(0);
        if (help && !whatGiven) {
            spec.commandLine().usage(System.out);
            return 0;
        }
        if (help) {
            options.add("--help");
        }
        Benchmark benchmark = BENCHMARKS.get(what);
        if (benchmark == null) {
            System.err.println("herald bench: unknown benchmark '" + what + "'; one of " + BENCHMARKS.keySet());
            return 2;
        }
        return benchmark.run(options.toArray(String[]::new), System.out);
    }

    private static String[] prepend(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    /** The benchmark names, for picocli's usage text. */
    static final class Names extends ArrayList<String> {
        Names() {
            super(BENCHMARKS.keySet());
        }
    }
}
