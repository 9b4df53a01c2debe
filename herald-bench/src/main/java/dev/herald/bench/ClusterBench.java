package dev.herald.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code herald bench cluster}: what the shared state costs. Intake (one fat event per {@code POST}) and
 * webhook delivery with 1, 2, … {@code herald serve --transport postgres} instances on one PostgreSQL, each
 * instance a child process; and, in the same run on the same database, the ceiling: raw single-row
 * {@code INSERT} commits per second with as many clients as the load has connections.
 *
 * <p>For each instance count the run takes a fresh scratch schema, starts the instances on it (same
 * admin token and secret key, so any instance serves any request), warms them up, spreads the intake's
 * connections over them, then creates one webhook subscription from the earliest event and times the drain
 * of everything posted into the built-in sink ({@link WebhookSink}, in this process, checking every
 * signature). On a machine with few cores the instances, the load generator and PostgreSQL share the same
 * CPUs: the figures show where the work goes, not how a cluster of machines scales.
 */
public final class ClusterBench {

    static final String USAGE = """
            Usage: herald bench cluster --postgres-url U [--events N] [--connections C] [--instances M]
                                        [--concurrency D] [--server-heap H] [--server-log L]
              --postgres-url U   JDBC URL of the PostgreSQL to use, e.g.
                                 'jdbc:postgresql://127.0.0.1:5432/herald?user=herald'; each instance count uses
                                 a fresh schema herald_bench_<random> (and <schema>_state, <schema>_raw), dropped after
              --events N         events posted per instance count, one per request (default 10000)
              --connections C    HTTP connections, spread over the instances; also the raw baseline's clients
                                 (default 32)
              --instances M      measure 1, 2, … M instances (default 3)
              --concurrency D    the webhook subscription's delivery.concurrency on each instance (default 32)
              --server-heap H    each instance's -Xmx (default 384m)
              --server-log L     each instance's HERALD_LOG_LEVEL: INFO (default, a line per event), WARN or DEBUG""";

    private static final Set<String> OPTIONS = Set.of("--postgres-url", "--events", "--connections", "--instances",
            "--concurrency", "--server-heap", "--server-log");
    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(10);

    private ClusterBench() {
    }

    /** Runs with these arguments, printing to {@code out}; returns 0, or 2 for bad arguments. */
    public static int run(String[] args, PrintStream out) {
        Settings settings;
        try {
            settings = Settings.of(BenchArgs.parse("cluster", args, OPTIONS));
        } catch (IllegalArgumentException e) {
            out.println("herald bench cluster: " + e.getMessage());
            out.println(USAGE);
            return 2;
        }
        if (settings == null) {
            out.println(USAGE);
            return 0;
        }
        if (!HeraldServe.available()) {
            throw new IllegalStateException("the herald command is not on the class path: run this benchmark as "
                    + "'herald bench cluster'");
        }
        out.printf(Locale.ROOT, "herald bench cluster: events=%d connections=%d instances=1..%d concurrency=%d "
                        + "server-heap=%s server-log=%s%n", settings.events, settings.connections, settings.instances,
                settings.concurrency, settings.heap, settings.logLevel);
        out.println(Machine.describe());
        return Measurements.run(() -> {
            try (WebhookSink sink = WebhookSink.start()) {
                new Run(settings, sink, out).measure();
                return 0;
            }
        });
    }

    /** The options, checked. */
    private record Settings(String url, int events, int connections, int instances, int concurrency, String heap,
                            String logLevel) {

        /** The settings, or null when only the usage was asked for. */
        static Settings of(BenchArgs args) {
            if (args.help()) {
                return null;
            }
            String url = args.text("--postgres-url", null);
            if (url == null || !url.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("--postgres-url must be given, a jdbc:postgresql: URL");
            }
            int concurrency = args.positive("--concurrency", 32);
            if (concurrency > 256) {
                throw new IllegalArgumentException("--concurrency must be at most 256 (delivery.concurrency's limit)");
            }
            String heap = args.text("--server-heap", "384m");
            if (!heap.matches("[0-9]+[kKmMgG]?")) {
                throw new IllegalArgumentException("--server-heap must be a size such as 384m, not '" + heap + "'");
            }
            return new Settings(url, args.positive("--events", 10_000), args.positive("--connections", 32),
                    args.positive("--instances", 3), concurrency, heap,
                    args.choice("--server-log", "INFO", Set.of("INFO", "WARN", "DEBUG")));
        }
    }

    /** One run: the raw ceiling, then each instance count. */
    private static final class Run {

        private final Settings settings;
        private final WebhookSink sink;
        private final PrintStream out;
        private final FatEventBodies bodies = FatEventBodies.create();
        private final LoadTable table;
        private final String token = random(32, false);
        private final String secretKey = random(32, true);
        private final String webhookSecret = HeraldAdmin.newWebhookSecret();

        Run(Settings settings, WebhookSink sink, PrintStream out) {
            this.settings = settings;
            this.sink = sink;
            this.out = out;
            this.table = new LoadTable(out);
        }

        void measure() throws Exception {
            try (PostgresScratch raw = PostgresScratch.on(settings.url)) {
                out.printf(Locale.ROOT, "database: %s, baseline on schema %s_raw; events: %s, %d B of structured "
                        + "JSON each, one per request; sink: %s in this process (answers 204, checks every "
                        + "signature)%n",
                        raw.version(), raw.schema(), FatEventBodies.TYPE, bodies.eventBytes(), sink.uri());
                sink.verifyWith(webhookSecret);
                out.println();
                table.header();
                long cpu = HttpLoad.processCpuNanos();
                long nanos = raw.singleRowInserts(bodies, 0, settings.events, settings.connections);
                double ceiling = table.raw("baseline  raw INSERT, " + settings.connections + " clients, 1 row/commit",
                        settings.events, nanos, HttpLoad.processCpuNanos() - cpu);
                List<double[]> rates = new ArrayList<>();
                for (int n = 1; n <= settings.instances; n++) {
                    rates.add(measure(n));
                }
                out.println();
                for (int n = 1; n <= settings.instances; n++) {
                    table.ratio("intake, " + instances(n) + " / raw INSERT", rates.get(n - 1)[0], ceiling, "report");
                    table.ratio("webhooks, " + instances(n) + " / raw INSERT", rates.get(n - 1)[1], ceiling, "report");
                }
            }
            out.println("gen% = this process (load generator and sink), as a share of all "
                    + Runtime.getRuntime().availableProcessors() + " CPUs during the row; the instances' CPU together "
                    + "is on the line under each row; PostgreSQL's own CPU is in neither");
            out.flush();
        }

        /** Measures {@code n} instances on a fresh schema; returns {intake events/s, deliveries/s}. */
        private double[] measure(int n) throws Exception {
            try (PostgresScratch scratch = PostgresScratch.on(settings.url); Cluster cluster = start(n, scratch)) {
                int warm = Math.min(2_000, Math.max(100, settings.events / 5));
                HttpLoad.Result warmUp = intake(cluster).requests(warm).run(singles(0));
                if (!warmUp.clean()) {
                    throw new IllegalStateException("warm-up: " + warmUp.problems() + "\n" + cluster.tail());
                }
                out.printf(Locale.ROOT, "          %s on schema %s (state in %s_state), %d warm-up events%n",
                        instances(n), scratch.schema(), scratch.schema(), warm);
                long serverCpu = cluster.cpuNanos();
                HttpLoad.Result intake = table.run("herald    intake, " + instances(n), intake(cluster)
                        .requests(settings.events), singles(warm), 1, null);
                long intakeCpu = cluster.cpuNanos() - serverCpu;
                out.printf(Locale.ROOT, "          intake: instances' CPU %s of the machine, %s per event%n",
                        percent(BenchServer.share(intakeCpu, intake.elapsedNanos())),
                        perEvent(intakeCpu, settings.events));

                sink.reset();
                int backlog = warm + settings.events;
                serverCpu = cluster.cpuNanos();
                long sinkCpu = HttpLoad.processCpuNanos();
                long started = System.nanoTime();
                cluster.admin().subscribeWebhook("bench-cluster", sink.uri(), webhookSecret, settings.concurrency,
                        "structured");
                if (!sink.awaitDistinct(backlog, DRAIN_TIMEOUT)) {
                    throw new IllegalStateException("the subscription delivered " + sink.distinct() + " of " + backlog
                            + " events within " + DRAIN_TIMEOUT + "\n" + cluster.tail());
                }
                long elapsed = sink.lastNewIdNanos() - started;
                double delivered = table.raw("herald    webhooks, " + instances(n) + ", conc. " + settings.concurrency
                        + " each", backlog, elapsed, HttpLoad.processCpuNanos() - sinkCpu);
                if (sink.badSignatures() > 0) {
                    throw new IllegalStateException(sink.badSignatures() + " deliveries had a bad signature");
                }
                long deliveryCpu = cluster.cpuNanos() - serverCpu;
                out.printf(Locale.ROOT, "          webhooks: %,d requests for %,d events (%,d redelivered), 0 bad "
                                + "signatures; instances' CPU %s of the machine, %s per event%n", sink.requests(),
                        sink.distinct(), sink.requests() - sink.distinct(),
                        percent(BenchServer.share(deliveryCpu, System.nanoTime() - started)),
                        perEvent(deliveryCpu, backlog));
                return new double[] {intake.perSecond(), delivered};
            }
        }

        private HttpLoad intake(Cluster cluster) {
            return HttpLoad.to(cluster.baseUris()).connections(settings.connections).expect(202);
        }

        /** Requests of one event each, numbered from {@code first}. */
        private HttpLoad.Requests singles(long first) {
            LoadRequest publish = LoadRequest.post("/v1/events", FatEventBodies.STRUCTURED, new byte[0])
                    .withHeader("Authorization", "Bearer " + token);
            return n -> publish.withBody(bodies.structured(first + n));
        }

        /** Starts {@code n} instances on the scratch schema, one after the other (the first migrates the state). */
        private Cluster start(int n, PostgresScratch scratch) throws IOException {
            Path data = Files.createTempDirectory("herald-bench-cluster-");
            Cluster cluster = new Cluster(data, token);
            try {
                for (int i = 1; i <= n; i++) {
                    cluster.add(HeraldServe.builder(data.resolve("instance" + i)).transport("postgres")
                            .set("postgres.url", scratch.url()).set("postgres.schema", scratch.schema())
                            .set("auth.rate-limit", "0").set("webhooks.ssrf-allow", "127.0.0.1")
                            .adminToken(token).environment("HERALD_SECRET_KEY", secretKey)
                            .environment("HERALD_LOG_LEVEL", settings.logLevel)
                            .jvmOptions(List.of("-Xmx" + settings.heap)).start());
                }
                return cluster;
            } catch (RuntimeException e) {
                cluster.close();
                throw e;
            }
        }

        private static String instances(int n) {
            return n + (n == 1 ? " instance" : " instances");
        }

        /**
         * The instances' CPU time per event, all instances together: what each event costs them, which the
         * share of the machine hides when the instances wait for the CPU or for the database.
         */
        private static String perEvent(long cpuNanos, int events) {
            return cpuNanos < 0 ? "-" : String.format(Locale.ROOT, "%.2f ms", cpuNanos / 1e6 / events);
        }

        private static String percent(double share) {
            return Double.isNaN(share) ? "-" : String.format(Locale.ROOT, "%.0f%%", share * 100);
        }

        private static String random(int bytes, boolean base64) {
            byte[] random = new byte[bytes];
            new SecureRandom().nextBytes(random);
            return base64 ? Base64.getEncoder().encodeToString(random) : HexFormat.of().formatHex(random);
        }
    }

    /** The running instances of one measurement, and their data directories (deleted on close). */
    private static final class Cluster implements AutoCloseable {

        private final Path data;
        private final String token;
        private final List<HeraldServe> instances = new ArrayList<>();

        Cluster(Path data, String token) {
            this.data = data;
            this.token = token;
        }

        void add(HeraldServe instance) {
            instances.add(instance);
        }

        List<URI> baseUris() {
            return instances.stream().map(HeraldServe::baseUri).toList();
        }

        /** The first instance's API, as an admin. */
        HeraldAdmin admin() {
            return new HeraldAdmin(instances.getFirst().baseUri(), token);
        }

        /** All instances' CPU time so far, -1 where the OS does not tell. */
        long cpuNanos() {
            long total = 0;
            for (HeraldServe instance : instances) {
                long cpu = instance.cpuTime().map(Duration::toNanos).orElse(-1L);
                if (cpu < 0) {
                    return -1;
                }
                total += cpu;
            }
            return total;
        }

        /** The last lines of every instance's output, for a failure. */
        String tail() {
            StringBuilder tails = new StringBuilder();
            for (int i = 0; i < instances.size(); i++) {
                tails.append("instance ").append(i + 1).append(":\n").append(instances.get(i).tail()).append('\n');
            }
            return tails.toString();
        }

        @Override
        public void close() {
            try {
                instances.forEach(HeraldServe::close);
            } finally {
                BenchServer.delete(data);
            }
        }
    }
}
