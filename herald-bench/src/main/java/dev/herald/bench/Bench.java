package dev.herald.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import dev.herald.schema.SchemaRegistry;
import dev.herald.store.EventStore;
import dev.herald.transport.embedded.EmbeddedTransport;
import dev.herald.transport.memory.InMemoryTransport;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * {@code herald bench embedded}: end-to-end load runs of the embedded transport, with raw SQLite
 * baselines measured in the same run on the same machine.
 *
 * <ol>
 *   <li><b>A</b>, raw SQLite, one row per transaction: P threads sharing one connection,
 *       autocommit inserts of the same ~1.5 KB rows Herald stores (WAL, {@code synchronous=FULL}, like
 *       the embedded transport) — what a naive durable per-event insert gives;</li>
 *   <li><b>B</b>, raw SQLite batched: one thread, 500 rows per transaction — the ceiling group commit
 *       aims at;</li>
 *   <li><b>H</b>, Herald: an {@link EventStore} on an {@link EmbeddedTransport}, P platform threads
 *       each calling {@code publish(event)} with ~1.5 KB {@code vulnerabilities.new_finding} events
 *       (validated against the catalog schema, durably committed); with the ratios H/A and H/B;</li>
 *   <li>publish→handler latency: one subscription, one thread publishing at a fixed rate, on the
 *       embedded transport and, for reference, on the in-memory transport.</li>
 * </ol>
 *
 * <p>The store's per-event INFO logs ({@code herald.publish}, {@code herald.dispatch}) are turned
 * down to WARN for the run (and restored after) when Logback is the SLF4J binding; the output says
 * whether they were off.
 */
public final class Bench {

    /** Rows per transaction in baseline B. */
    static final int BATCH = 500;
    private static final String[] QUIET_LOGGERS = {"herald.publish", "herald.dispatch"};

    private Bench() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    /**
     * Parses {@code args} (see {@link BenchOptions#USAGE}), runs every measurement and prints the
     * table to {@code out}.
     *
     * @return 0 when done, 2 when the arguments are wrong (the reason and usage are printed)
     */
    public static int run(String[] args, PrintStream out) {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            out.println("herald bench: " + e.getMessage());
            out.println(BenchOptions.USAGE);
            return 2;
        }
        if (options.help()) {
            out.println(BenchOptions.USAGE);
            return 0;
        }
        return Measurements.run(() -> {
            new Bench.Run(options, out).run();
            return 0;
        });
    }

    /** One benchmark run: its options, output and directory. */
    private static final class Run {

        private final BenchOptions options;
        private final PrintStream out;
        private final SchemaRegistry registry = SchemaRegistry.builtinCatalog();

        Run(BenchOptions options, PrintStream out) {
            this.options = options;
            this.out = out;
        }

        void run() throws Exception {
            Path dir = directory(options.data());
            try {
                measure(dir);
            } finally {
                deleteRecursively(dir);
            }
        }

        private void measure(Path dir) throws Exception {
            int n = options.events();
            int p = options.publishers();
            int warm = Math.min(2_000, Math.max(p, n / 10));
            FatEvents fat = new FatEvents(registry);

            List<CloudEvent> warmup = fat.events(0, warm);
            List<CloudEvent> events = fat.events(warm, n);
            List<byte[]> rows = new ArrayList<>(n);
            int minSize = Integer.MAX_VALUE;
            int maxSize = 0;
            long total = 0;
            for (CloudEvent event : events) {
                byte[] json = FatEvents.json(event);
                rows.add(json);
                minSize = Math.min(minSize, json.length);
                maxSize = Math.max(maxSize, json.length);
                total += json.length;
            }

            out.printf(Locale.ROOT, "herald bench embedded: events=%d publishers=%d rate=%d/s seconds=%d%n",
                    n, p, options.rate(), options.seconds());
            out.println(Machine.describe());
            out.printf(Locale.ROOT, "SQLite %s; files in %s (deleted afterwards)%n",
                    RawSqlite.version(dir.resolve("version.db")), dir);
            out.printf(Locale.ROOT, "events: %s, %d-%d B structured JSON (mean %d), valid under the catalog schema;"
                    + " built before timing%n", FatEvents.TYPE, minSize, maxSize, total / n);
            out.println("logging: " + logState());
            out.println();

            out.printf(Locale.ROOT, "%-52s %9s %9s %11s%n", "throughput (durable: WAL, synchronous=FULL)", "ops",
                    "seconds", "ops/s");
            long nanosA = RawSqlite.perRowTransactions(dir.resolve("baseline-a.db"), rows, p);
            requireCount(dir.resolve("baseline-a.db"), n, "baseline A");
            double rateA = row("A  raw SQLite, " + Math.min(p, n) + " threads, 1 conn, 1 row/transaction", n, nanosA);
            gc();

            long nanosB = RawSqlite.batchedTransactions(dir.resolve("baseline-b.db"), rows, BATCH);
            requireCount(dir.resolve("baseline-b.db"), n, "baseline B");
            double rateB = row("B  raw SQLite, 1 thread, " + BATCH + " rows/transaction", n, nanosB);
            rows = null;
            gc();

            Path heraldFile = dir.resolve("herald.db");
            long nanosH;
            try (EventStore store = HeraldRuns.store(EmbeddedTransport.open(heraldFile), registry)) {
                HeraldRuns.publishConcurrently(store, warmup, p);
                nanosH = HeraldRuns.publishConcurrently(store, events, p);
            }
            requireCount(heraldFile, warm + n, "Herald");
            double rateH = row("H  Herald embedded, " + Math.min(p, n) + " publishers, publish(1 event)", n, nanosH);
            out.printf(Locale.ROOT, "   Herald/A %.2fx   Herald/B %.2fx   (H after %d warm-up publishes)%n",
                    rateH / rateA, rateH / rateB, warm);
            warmup = null;
            events = null;
            gc();

            out.println();
            int measured = (int) Math.min(Integer.MAX_VALUE - 1L, (long) options.rate() * options.seconds());
            int warmLatency = Math.max(1, Math.min(500, options.rate() / 2));
            Duration settle = Duration.ofSeconds(30);
            out.printf(Locale.ROOT, "%-30s %9s %8s %8s %8s %8s %8s %8s%n", "latency publish->handler (ms)",
                    "rate/s", "events", "lost", "p50", "p90", "p99", "max");
            long next = 0;
            HeraldRuns.Latency embedded;
            List<CloudEvent> warmupEvents = fat.events(next, warmLatency);
            List<CloudEvent> measuredEvents = fat.events(next + warmLatency, measured);
            embedded = HeraldRuns.publishToHandler(EmbeddedTransport.open(dir.resolve("latency.db")), registry,
                    warmupEvents, measuredEvents, options.rate(), 1, settle);
            latencyRow("embedded", embedded);
            gc();
            HeraldRuns.Latency memory = HeraldRuns.publishToHandler(new InMemoryTransport(), registry,
                    warmupEvents, measuredEvents, options.rate(), 1, settle);
            latencyRow("memory (reference)", memory);
            out.printf(Locale.ROOT, "   one publishing thread at a fixed rate for %d s after %d warm-up events;"
                    + " from the instant each event was due to the handler%n", options.seconds(), warmLatency);
            out.flush();
        }

        private double row(String label, int ops, long nanos) {
            double seconds = nanos / 1e9;
            double rate = ops / seconds;
            out.printf(Locale.ROOT, "%-52s %9d %9.3f %,11.0f%n", label, ops, seconds, rate);
            out.flush();
            return rate;
        }

        private void latencyRow(String label, HeraldRuns.Latency latency) {
            out.printf(Locale.ROOT, "%-30s %9.0f %8d %8d %8.2f %8.2f %8.2f %8.2f%n", label, latency.achievedRate(),
                    latency.received(), latency.published() - latency.received(), latency.percentileMillis(50),
                    latency.percentileMillis(90), latency.percentileMillis(99), latency.maxMillis());
            out.flush();
        }

        private static void requireCount(Path file, long expected, String what) throws Exception {
            long count = RawSqlite.count(file);
            if (count != expected) {
                throw new IllegalStateException(what + " stored " + count + " events, expected " + expected);
            }
        }
    }

    /** A fresh directory for a run's files: in {@code data} when given, else a temp directory. */
    static Path directory(Path data) throws IOException {
        if (data == null) {
            return Files.createTempDirectory("herald-bench-");
        }
        Files.createDirectories(data);
        return Files.createTempDirectory(data, "herald-bench-");
    }

    /** Sets the per-event loggers to WARN; returns their previous levels (empty when Logback is not the binding). */
    static List<Level> quietEventLogs() {
        List<Level> previous = new ArrayList<>();
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            for (String name : QUIET_LOGGERS) {
                ch.qos.logback.classic.Logger logger = context.getLogger(name);
                previous.add(logger.getLevel());
                logger.setLevel(Level.WARN);
            }
        }
        return previous;
    }

    static void restoreEventLogs(List<Level> levels) {
        if (levels.isEmpty() || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        for (int i = 0; i < QUIET_LOGGERS.length; i++) {
            context.getLogger(QUIET_LOGGERS[i]).setLevel(levels.get(i));
        }
    }

    static String logState() {
        boolean noisy = Stream.of(QUIET_LOGGERS).anyMatch(name -> LoggerFactory.getLogger(name).isInfoEnabled());
        return noisy
                ? "WARNING: herald.publish/herald.dispatch log every event at INFO; figures include that cost"
                : "herald.publish, herald.dispatch at WARN (no per-event log lines)";
    }

    private static void gc() {
        System.gc();
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
