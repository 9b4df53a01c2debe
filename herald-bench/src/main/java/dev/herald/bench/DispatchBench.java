package dev.herald.bench;

import dev.herald.schema.SchemaRegistry;
import dev.herald.store.EventStore;
import dev.herald.store.SubscribeOptions;
import dev.herald.store.Subscription;
import dev.herald.transport.StartPosition;
import dev.herald.transport.embedded.EmbeddedTransport;
import dev.herald.transport.memory.InMemoryTransport;
import io.cloudevents.CloudEvent;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code herald bench dispatch}: how fast subscriptions drain a backlog with a no-op handler, and the
 * latency from publish to handler at a low and a high rate, each beside baselines measured in the
 * same run:
 *
 * <ul>
 *   <li><b>R</b>, the read ceiling: raw SQLite reading the same backlog rows from the store file in
 *       sequence order and decoding each into a CloudEvent, one thread, nothing written;</li>
 *   <li><b>J</b>, GitLab's model (see {@link RedisJobs}): one job per subscriber per event on a Redis
 *       list, worker threads taking jobs with BRPOP;</li>
 *   <li><b>H</b>, Herald: an {@link EventStore} on an {@link EmbeddedTransport}, one and four
 *       subscriptions with the default delivery policy, each delivery acknowledged durably before it
 *       counts as drained for the store (the handler's return is what is counted).</li>
 * </ul>
 *
 * <p>Each pipeline drains a warm-up backlog once before it is timed, so the JIT has compiled its
 * path. Latency runs publish open-loop from several threads and count from the instant each event
 * was due ({@link LatencyRun}); the in-memory transport is shown for reference.
 */
public final class DispatchBench {

    private static final Duration SETTLE = Duration.ofSeconds(30);
    private static final int PUBLISH_CHUNK = 500;

    private final DispatchOptions options;
    private final PrintStream out;
    private final SchemaRegistry registry = SchemaRegistry.builtinCatalog();
    private final FatEvents fat = new FatEvents(registry);
    private long nextEvent;

    private DispatchBench(DispatchOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /**
     * Parses {@code args} (see {@link DispatchOptions#USAGE}), runs every measurement and prints the
     * figures and ratios to {@code out}.
     *
     * @return 0 when done, 2 when the arguments are wrong (the reason and usage are printed)
     */
    public static int run(String[] args, PrintStream out) {
        DispatchOptions options;
        try {
            options = DispatchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            out.println("herald bench dispatch: " + e.getMessage());
            out.println(DispatchOptions.USAGE);
            return 2;
        }
        if (options.help()) {
            out.println(DispatchOptions.USAGE);
            return 0;
        }
        return Measurements.run(() -> {
            Path dir = Bench.directory(options.data());
            try {
                new DispatchBench(options, out).measure(dir);
            } finally {
                Bench.deleteRecursively(dir);
            }
            return 0;
        });
    }

    private void measure(Path dir) throws Exception {
        out.println(Machine.describe());
        out.printf(Locale.ROOT, "herald bench dispatch: backlog=%d low-rate=%d/s high-rate=%d/s seconds=%d"
                        + " publishers=%d workers=%d%n", options.backlog(), options.lowRate(), options.highRate(),
                options.seconds(), options.publishers(), options.workers());
        out.printf(Locale.ROOT, "SQLite %s; %s%n", RawSqlite.version(dir.resolve("version.db")),
                options.redisHost() == null ? "no Redis baseline (--redis none)"
                        : RedisJobs.describe(options.redisHost(), options.redisPort()));
        out.printf(Locale.ROOT, "events: %s, about %d B structured JSON; handlers do nothing%n", FatEvents.TYPE,
                FatEvents.TARGET_BYTES);
        out.println("logging: " + Bench.logState());
        out.println();
        drain(dir.resolve("dispatch.db"));
        out.println();
        latency(dir, options.lowRate());
        latency(dir, options.highRate());
        out.println("   open-loop publishing from " + options.publishers() + " threads; latency from the instant"
                + " each event was due to the handler; the floor row is one durable commit (fsync) alone,"
                + " which every embedded publish waits for before anything is delivered");
    }

    private void drain(Path file) throws Exception {
        int n = options.backlog();
        List<CloudEvent> backlog = fat.events(next(n), n);
        List<CloudEvent> warmup = fat.events(next(n), n);
        try (EventStore store = HeraldRuns.store(EmbeddedTransport.open(file), registry)) {
            for (int from = 0; from < n; from += PUBLISH_CHUNK) {
                store.publish(backlog.subList(from, Math.min(n, from + PUBLISH_CHUNK)));
            }
        }
        out.printf(Locale.ROOT, "%-56s %9s %9s %11s%n", "drain a backlog, no-op handler", "handled", "seconds",
                "handled/s");
        AtomicLong decoded = new AtomicLong();
        RawSqlite.readAndDecode(file, event -> decoded.incrementAndGet());
        long nanosR = RawSqlite.readAndDecode(file, event -> decoded.incrementAndGet());
        double rateR = row("R  raw SQLite: read + decode the rows, 1 thread", n, nanosR);

        double rateJ1 = Double.NaN;
        double rateJ4 = Double.NaN;
        if (options.redisHost() != null) {
            List<byte[]> jobs = backlog.stream().map(FatEvents::json).toList();
            redisDrain("warm-up", jobs, 1);
            rateJ1 = row("J1 Redis, 1 job/event, " + options.workers() + " BRPOP workers", n, redisDrain("j1", jobs, 1));
            rateJ4 = row("J4 Redis, 4 subscribers: 4 jobs/event, " + options.workers() + " workers", 4L * n,
                    redisDrain("j4", jobs, 4));
        }

        double rateH1;
        double rateH4;
        try (EventStore store = HeraldRuns.store(EmbeddedTransport.open(file), registry)) {
            for (int from = 0; from < n; from += PUBLISH_CHUNK) {
                store.publish(warmup.subList(from, Math.min(n, from + PUBLISH_CHUNK)));
            }
            heraldDrain(store, "warm-up", 1, 2L * n);
            rateH1 = row("H1 Herald embedded, 1 subscription", 2L * n, heraldDrain(store, "h1", 1, 2L * n));
            rateH4 = row("H4 Herald embedded, 4 subscriptions", 8L * n, heraldDrain(store, "h4", 4, 2L * n));
        }
        out.printf(Locale.ROOT, "   H1/R %.2fx   H1/J1 %.2fx   H4/R %.2fx   H4/J4 %.2fx%n", rateH1 / rateR,
                rateH1 / rateJ1, rateH4 / rateR, rateH4 / rateJ4);
        out.printf(Locale.ROOT, "   Herald's subscriptions read the %d-event log twice over (backlog + warm-up"
                + " events); R reads it once; default delivery policy%n", n);
    }

    /** Subscriptions from the earliest event, each draining {@code each} events: elapsed nanoseconds until all were handled. */
    private long heraldDrain(EventStore store, String name, int subscriptions, long each) throws Exception {
        CountDownLatch done = new CountDownLatch(Math.toIntExact(each * subscriptions));
        List<Subscription> running = new ArrayList<>();
        long began = System.nanoTime();
        for (int s = 0; s < subscriptions; s++) {
            running.add(store.subscribe("bench-drain-" + name + "-" + s, event -> done.countDown(),
                    SubscribeOptions.forTypes(FatEvents.TYPE).startAt(StartPosition.EARLIEST)));
        }
        if (!done.await(SETTLE.toSeconds() * 10, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + ": " + done.getCount() + " events were not handled");
        }
        long elapsed = System.nanoTime() - began;
        running.forEach(Subscription::close);
        return elapsed;
    }

    private long redisDrain(String run, List<byte[]> jobs, int subscribers) throws Exception {
        try (RedisJobs redis = new RedisJobs(options.redisHost(), options.redisPort(), run, subscribers,
                options.workers())) {
            redis.enqueueBacklog(jobs);
            return redis.drain((long) jobs.size() * subscribers);
        }
    }

    private void latency(Path dir, int rate) throws Exception {
        int measured = (int) Math.min(Integer.MAX_VALUE - 1L, (long) rate * options.seconds());
        int warm = Math.max(1, Math.min(2_000, rate / 2));
        List<CloudEvent> warmup = fat.events(next(warm), warm);
        List<CloudEvent> events = fat.events(next(measured), measured);
        int threads = options.publishers();
        out.printf(Locale.ROOT, "%-34s %9s %8s %6s %8s %8s %8s %8s%n", "latency publish->handler (ms), "
                + rate + "/s", "rate/s", "events", "lost", "p50", "p90", "p99", "max");
        if (rate == options.lowRate()) {
            List<byte[]> rows = events.stream().limit(Math.min(events.size(), 1_000)).map(FatEvents::json).toList();
            long[] commits = RawSqlite.commitLatencies(dir.resolve("commit-floor.db"), rows, rate);
            latencyRow("raw SQLite 1-row commit (floor)", new HeraldRuns.Latency(rows.size(), rate, commits));
        }
        HeraldRuns.Latency embedded = HeraldRuns.publishToHandler(
                EmbeddedTransport.open(dir.resolve("latency-" + rate + ".db")), registry, warmup, events, rate,
                threads, SETTLE);
        latencyRow("embedded", embedded);
        if (options.redisHost() != null) {
            HeraldRuns.Latency redis = redisLatency(rate, warmup, events);
            latencyRow("Redis job per subscriber", redis);
            out.printf(Locale.ROOT, "   embedded/Redis at %d/s: p50 %.2fx   p99 %.2fx (below 1: Herald is faster)%n",
                    rate, embedded.percentileMillis(50) / redis.percentileMillis(50),
                    embedded.percentileMillis(99) / redis.percentileMillis(99));
        }
        latencyRow("memory (reference)", HeraldRuns.publishToHandler(new InMemoryTransport(), registry, warmup,
                events, rate, threads, SETTLE));
    }

    private HeraldRuns.Latency redisLatency(int rate, List<CloudEvent> warmup, List<CloudEvent> events)
            throws Exception {
        LatencyRun run = new LatencyRun(warmup, events);
        try (RedisJobs redis = new RedisJobs(options.redisHost(), options.redisPort(), "latency-" + rate, 1,
                options.workers())) {
            redis.startWorkers(run::handled);
            return run.run(rate, options.publishers(), redis::publisher, SETTLE);
        }
    }

    private double row(String label, long ops, long nanos) {
        double seconds = nanos / 1e9;
        double rate = ops / seconds;
        out.printf(Locale.ROOT, "%-56s %9d %9.3f %,11.0f%n", label, ops, seconds, rate);
        out.flush();
        return rate;
    }

    private void latencyRow(String label, HeraldRuns.Latency latency) {
        out.printf(Locale.ROOT, "%-34s %9.0f %8d %6d %8.2f %8.2f %8.2f %8.2f%n", label, latency.achievedRate(),
                latency.received(), latency.published() - latency.received(), latency.percentileMillis(50),
                latency.percentileMillis(90), latency.percentileMillis(99), latency.maxMillis());
        out.flush();
    }

    /** The number of the first of {@code count} fresh events: every event of a run has its own id. */
    private long next(int count) {
        long first = nextEvent;
        nextEvent += count;
        return first;
    }
}
