package dev.herald.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code herald bench webhooks}: webhook delivery draining a backlog of fat events into the built-in
 * no-op sink ({@link WebhookSink}, in this process, checking every signature), against the sink's own
 * rate measured in the same run with the same load generator and as many connections as the
 * subscription's concurrency, sending requests shaped like Herald's (the event, its headers and a
 * Standard Webhooks signature).
 *
 * <p>The backlog is published first (in batches, not timed); then a subscription starting at the
 * earliest event is created, and the drain is timed from its creation to the arrival of the last
 * event's first delivery. Redeliveries and bad signatures are reported; a bad signature fails the run.
 */
public final class WebhookBench {

    static final String USAGE = """
            Usage: herald bench webhooks [--events N] [--concurrency C] [--content-mode M] [server options]
              --events N         the backlog: events published before the subscription starts (default 20000)
              --concurrency C    the subscription's delivery.concurrency, and the baseline's connections (default 64)
              --content-mode M   binary (default, as subscriptions are by default) or structured
            """ + BenchServer.USAGE;

    private static final Set<String> OPTIONS = options();
    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(10);

    private WebhookBench() {
    }

    private static Set<String> options() {
        Set<String> all = new HashSet<>(BenchServer.OPTIONS);
        all.addAll(List.of("--events", "--concurrency", "--content-mode"));
        return Set.copyOf(all);
    }

    /** Runs with these arguments, printing to {@code out}; returns 0, or 2 for bad arguments. */
    public static int run(String[] args, PrintStream out) {
        BenchArgs options;
        int events;
        int concurrency;
        String mode;
        try {
            options = BenchArgs.parse("webhooks", args, OPTIONS);
            events = options.positive("--events", 20_000);
            concurrency = options.positive("--concurrency", 64);
            if (concurrency > 256) {
                throw new IllegalArgumentException("--concurrency must be at most 256 (delivery.concurrency's limit)");
            }
            mode = options.choice("--content-mode", "binary", Set.of("binary", "structured"));
            options.choice("--transport", "embedded", Set.of("embedded", "postgres"));
        } catch (IllegalArgumentException e) {
            out.println("herald bench webhooks: " + e.getMessage());
            out.println(USAGE);
            return 2;
        }
        if (options.help()) {
            out.println(USAGE);
            return 0;
        }
        out.printf(Locale.ROOT, "herald bench webhooks: events=%d concurrency=%d content-mode=%s%n", events,
                concurrency, mode);
        out.println(Machine.describe());
        // The sink listens on loopback, which the SSRF guard refuses unless allowed: allow exactly that address.
        return Measurements.run(() -> {
            try (WebhookSink sink = WebhookSink.start();
                 BenchServer server = BenchServer.start(options, Map.of("webhooks.ssrf-allow", "127.0.0.1"))) {
                new Run(server, sink, out).measure(events, concurrency, mode);
                return 0;
            } catch (IllegalArgumentException e) {
                out.println("herald bench webhooks: " + e.getMessage());
                return 2;
            }
        });
    }

    /** One run: backlog, baseline, drain. */
    private static final class Run {

        private static final int PUBLISH_BATCH = 500;

        private final BenchServer server;
        private final WebhookSink sink;
        private final PrintStream out;
        private final FatEventBodies bodies = FatEventBodies.create();
        private final LoadTable table;
        private final String secret = HeraldAdmin.newWebhookSecret();
        private final HeraldAdmin admin;

        Run(BenchServer server, WebhookSink sink, PrintStream out) {
            this.server = server;
            this.sink = sink;
            this.out = out;
            this.table = new LoadTable(out);
            this.admin = new HeraldAdmin(server.baseUri(), server.token());
        }

        void measure(int events, int concurrency, String mode) throws Exception {
            out.println(server.describe());
            out.printf(Locale.ROOT, "sink: %s in this process (Jetty, HTTP/1.1 keep-alive, answers 204, checks every"
                    + " signature); events: %s, %d B of structured JSON each%n", sink.uri(), FatEventBodies.TYPE,
                    bodies.eventBytes());
            sink.verifyWith(secret);
            int warm = Math.min(2_000, Math.max(100, events / 10));
            drain("bench-warmup", warm, concurrency, mode);
            sink.reset();

            long backlogStart = System.nanoTime();
            publishBacklog(warm, events);
            out.printf(Locale.ROOT, "backlog: %,d events published in batches of %d in %.1f s (not timed), after a"
                    + " warm-up subscription drained %,d events; the timed subscription starts at the earliest event,"
                    + " so it delivers %,d%n%n", events, PUBLISH_BATCH, (System.nanoTime() - backlogStart) / 1e9, warm,
                    warm + events);

            table.header();
            HttpLoad.Result baseline = table.run("baseline  the sink's own rate, " + concurrency + " conns",
                    HttpLoad.to(List.of(sink.uri())).connections(concurrency).requests(events).expect(204),
                    n -> signed(1_000_000_000L + n), 1, server);
            sink.reset();

            long serverCpu = server.cpuNanos();
            long sinkCpu = HttpLoad.processCpuNanos();
            long started = System.nanoTime();
            subscribe("bench-drain", concurrency, mode);
            int backlog = warm + events; // from the earliest event: the warm-up's events too
            if (!sink.awaitDistinct(backlog, DRAIN_TIMEOUT)) {
                throw new IllegalStateException("the subscription delivered " + sink.distinct() + " of " + backlog
                        + " events within " + DRAIN_TIMEOUT + "\nserver output:\n" + server.tail());
            }
            long elapsed = sink.lastNewIdNanos() - started;
            double drained = table.raw("herald    webhook drain, concurrency " + concurrency + ", " + mode, backlog,
                    elapsed, HttpLoad.processCpuNanos() - sinkCpu);
            double serverShare = BenchServer.share(server.cpuNanos() - serverCpu, System.nanoTime() - started);
            if (sink.badSignatures() > 0) {
                throw new IllegalStateException(sink.badSignatures() + " deliveries had a bad signature");
            }
            out.printf(Locale.ROOT, "          drain: %,d requests for %,d events (%,d redelivered), 0 bad signatures;"
                    + " server CPU %.0f%% of the machine%n", sink.requests(), sink.distinct(),
                    sink.requests() - sink.distinct(), serverShare * 100);
            out.println();
            table.ratio("webhook drain / sink's own rate", drained, baseline.perSecond(), "report");
            out.printf(Locale.ROOT, "target    >= 10,000 deliveries/s: %s%n", drained >= 10_000 ? "met" : "not met");
            out.println("gen% = this process (load generator or sink), srv% = the server process: shares of all "
                    + Runtime.getRuntime().availableProcessors() + " CPUs");
            out.flush();
        }

        /** Subscribes from the earliest event and waits until {@code count} events reached the sink. */
        private void drain(String id, int count, int concurrency, String mode) throws Exception {
            publishBacklog(0, count);
            subscribe(id, concurrency, mode);
            if (!sink.awaitDistinct(count, DRAIN_TIMEOUT)) {
                throw new IllegalStateException("warm-up: " + sink.distinct() + " of " + count + " delivered\n"
                        + server.tail());
            }
            admin.deleteSubscription(id);
        }

        private void publishBacklog(long first, int count) throws InterruptedException {
            int batches = (count + PUBLISH_BATCH - 1) / PUBLISH_BATCH;
            LoadRequest batch = LoadRequest.post("/v1/events", FatEventBodies.BATCH, new byte[0])
                    .withHeader("Authorization", "Bearer " + server.token());
            HttpLoad.Result result = HttpLoad.to(List.of(server.baseUri())).connections(4).requests(batches)
                    .expect(202).run(n -> batch.withBody(bodies.batch(first + n * PUBLISH_BATCH,
                            (int) Math.min(PUBLISH_BATCH, count - n * PUBLISH_BATCH))));
            if (!result.clean()) {
                throw new IllegalStateException("publishing the backlog: " + result.problems() + "\n" + server.tail());
            }
        }

        private void subscribe(String id, int concurrency, String mode) throws Exception {
            admin.subscribeWebhook(id, sink.uri(), secret, concurrency, mode);
        }

        /** A request like Herald's structured-mode delivery of event n, signed with the run's secret. */
        private LoadRequest signed(long n) {
            byte[] body = bodies.structured(n);
            String id = bodies.id(n);
            long now = System.currentTimeMillis() / 1000;
            return LoadRequest.post(WebhookSink.PATH, FatEventBodies.STRUCTURED, body)
                    .withHeader("user-agent", "Herald-Webhooks/1")
                    .withHeader("webhook-id", id)
                    .withHeader("webhook-timestamp", Long.toString(now))
                    .withHeader("webhook-signature", WebhookSink.sign(secret, id, now, body));
        }
    }
}
