package dev.herald.bench;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code herald bench webhooks}: webhook delivery draining a backlog of fat events into the built-in
 * no-op sink ({@link WebhookSink}, in this process, checking every signature), against the sink's own
 * rate measured in the same run with the same load generator and as many connections as the
 * subscription's concurrency, sending requests shaped like Herald's (the event, its headers and a
 * Standard Webhooks signature) over cleartext HTTP/1.1.
 *
 * <p>The backlog is published first (in batches, not timed); then, for each protocol asked for
 * ({@code --protocols}: cleartext HTTP/1.1, HTTPS with HTTP/1.1 only, HTTPS offering HTTP/2), a
 * subscription starting at the earliest event is created, and the drain is timed from its creation to the
 * arrival of the last event's first delivery ({@code --rounds} times each, the order rotating every round,
 * so that no protocol always runs first or last; the ratios take each protocol's median). Redeliveries, bad signatures and the protocols the requests
 * arrived over are reported; a bad signature, or a drain over another protocol than the sink offered
 * first, fails the run. The HTTPS sinks use a throw-away self-signed certificate the server is made to
 * trust through the JVM's {@code javax.net.ssl.trustStore}.
 */
public final class WebhookBench {

    static final String USAGE = """
            Usage: herald bench webhooks [--events N] [--concurrency C] [--content-mode M] [--protocols P]
                                         [--rounds R] [server options]
              --events N         the backlog: events published before the subscription starts (default 20000)
              --concurrency C    the subscription's delivery.concurrency, and the baseline's connections (default 64)
              --content-mode M   binary (default, as subscriptions are by default) or structured
              --protocols P      comma-separated, one timed drain each: h1-cleartext (default), h1-tls (HTTPS,
                                 HTTP/1.1 only), h2-tls (HTTPS offering HTTP/2 and HTTP/1.1), or all
              --rounds R         drain over each protocol R times, rotating the order; ratios of the medians
                                 (default 1)
            """ + BenchServer.USAGE;

    private static final Set<String> OPTIONS = options();
    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(10);

    private WebhookBench() {
    }

    private static Set<String> options() {
        Set<String> all = new HashSet<>(BenchServer.OPTIONS);
        all.addAll(List.of("--events", "--concurrency", "--content-mode", "--protocols", "--rounds"));
        return Set.copyOf(all);
    }

    /** Runs with these arguments, printing to {@code out}; returns 0, or 2 for bad arguments. */
    public static int run(String[] args, PrintStream out) {
        BenchArgs options;
        int events;
        int concurrency;
        String mode;
        List<WebhookSink.Protocol> protocols;
        int rounds;
        try {
            options = BenchArgs.parse("webhooks", args, OPTIONS);
            events = options.positive("--events", 20_000);
            concurrency = options.positive("--concurrency", 64);
            if (concurrency > 256) {
                throw new IllegalArgumentException("--concurrency must be at most 256 (delivery.concurrency's limit)");
            }
            mode = options.choice("--content-mode", "binary", Set.of("binary", "structured"));
            protocols = protocols(options.text("--protocols", WebhookSink.Protocol.H1_CLEARTEXT.label()));
            rounds = options.positive("--rounds", 1);
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
        out.printf(Locale.ROOT, "herald bench webhooks: events=%d concurrency=%d content-mode=%s protocols=%s"
                + " rounds=%d%n", events, concurrency, mode, protocols.stream().map(WebhookSink.Protocol::label)
                        .collect(Collectors.joining(",")), rounds);
        out.println(Machine.describe());
        boolean tls = protocols.stream().anyMatch(protocol -> protocol != WebhookSink.Protocol.H1_CLEARTEXT);
        return Measurements.run(() -> {
            Path certificates = Files.createTempDirectory("herald-bench-certificate-");
            try {
                SinkCertificate certificate = tls ? SinkCertificate.create(certificates) : null;
                // The sink listens on loopback, which the SSRF guard refuses unless allowed: allow exactly that address.
                try (WebhookSink sink = tls ? WebhookSink.startWithTls(certificate.keyStore(), SinkCertificate.PASSWORD)
                        : WebhookSink.start();
                     BenchServer server = BenchServer.start(options, Map.of("webhooks.ssrf-allow", "127.0.0.1"),
                             tls ? certificate.serverJvmOptions() : List.of())) {
                    new Run(server, sink, out).measure(events, concurrency, mode, protocols, rounds);
                    return 0;
                }
            } catch (IllegalArgumentException e) {
                out.println("herald bench webhooks: " + e.getMessage());
                return 2;
            } finally {
                BenchServer.delete(certificates);
            }
        });
    }

    /** {@code --protocols}: labels separated by commas, or {@code all}; in the order given, each once. */
    static List<WebhookSink.Protocol> protocols(String text) {
        if (text.strip().equals("all")) {
            return List.of(WebhookSink.Protocol.values());
        }
        Set<WebhookSink.Protocol> chosen = new LinkedHashSet<>();
        for (String label : text.split(",")) {
            chosen.add(Arrays.stream(WebhookSink.Protocol.values()).filter(p -> p.label().equals(label.strip()))
                    .findFirst().orElseThrow(() -> new IllegalArgumentException("--protocols takes h1-cleartext, "
                            + "h1-tls, h2-tls (separated by commas) or all, not '" + label.strip() + "'")));
        }
        return List.copyOf(chosen);
    }

    /** One run: backlog, baseline, a drain per protocol. */
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

        void measure(int events, int concurrency, String mode, List<WebhookSink.Protocol> protocols, int rounds)
                throws Exception {
            out.println(server.describe());
            out.printf(Locale.ROOT, "sink: %s in this process (Jetty, keep-alive, answers 204, checks every"
                    + " signature%s); events: %s, %d B of structured JSON each%n", sink.uri(),
                    protocols.size() > 1 || protocols.getFirst() != WebhookSink.Protocol.H1_CLEARTEXT
                            ? "; HTTPS with a self-signed EC P-256 certificate" : "",
                    FatEventBodies.TYPE, bodies.eventBytes());
            sink.verifyWith(secret);
            int warm = Math.min(2_000, Math.max(100, events / 10));
            publishBacklog(0, warm);
            for (WebhookSink.Protocol protocol : protocols) {
                drain("bench-warmup-" + protocol.label(), warm, concurrency, mode, protocol);
            }

            long backlogStart = System.nanoTime();
            publishBacklog(warm, events);
            out.printf(Locale.ROOT, "backlog: %,d events published in batches of %d in %.1f s (not timed), after a"
                    + " warm-up subscription per protocol drained %,d events; each timed subscription starts at the"
                    + " earliest event, so it delivers %,d%n%n", events, PUBLISH_BATCH,
                    (System.nanoTime() - backlogStart) / 1e9, warm, warm + events);

            table.header();
            HttpLoad.Result baseline = table.run("baseline  the sink's own rate, " + concurrency + " conns",
                    HttpLoad.to(List.of(sink.uri())).connections(concurrency).requests(events).expect(204),
                    n -> signed(1_000_000_000L + n), 1, server);
            sink.reset();
            Map<WebhookSink.Protocol, List<Double>> drained = new LinkedHashMap<>();
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < protocols.size(); i++) {
                    WebhookSink.Protocol protocol = protocols.get((i + round) % protocols.size());
                    double rate = timedDrain(warm + events, concurrency, mode, protocol, round + 1);
                    drained.computeIfAbsent(protocol, p -> new ArrayList<>()).add(rate);
                }
            }
            out.println();
            Map<WebhookSink.Protocol, Double> medians = new LinkedHashMap<>();
            protocols.forEach(protocol -> medians.put(protocol, median(drained.get(protocol))));
            medians.forEach((protocol, rate) -> table.ratio(name(protocol) + (rounds > 1 ? " (median)" : "")
                    + " / sink's own rate", rate, baseline.perSecond(), "report"));
            double best = medians.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            out.printf(Locale.ROOT, "target    >= 10,000 deliveries/s: %s%n", best >= 10_000 ? "met" : "not met");
            out.println("gen% = this process (load generator or sink), srv% = the server process: shares of all "
                    + Runtime.getRuntime().availableProcessors() + " CPUs");
            out.println("baseline = cleartext HTTP/1.1 from the load generator; the h1-tls and h2-tls drains pay TLS"
                    + " on both ends against it");
            out.flush();
        }

        /** The drain's name in rows and ratios: {@code webhook drain} over cleartext, {@code h2-tls drain}. */
        private static String name(WebhookSink.Protocol protocol) {
            return protocol == WebhookSink.Protocol.H1_CLEARTEXT ? "webhook drain" : protocol.label() + " drain";
        }

        private static double median(List<Double> rates) {
            List<Double> sorted = rates.stream().sorted().toList();
            int middle = sorted.size() / 2;
            return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
        }

        /** Drains the whole backlog from the earliest event over one protocol; prints its row, returns its rate. */
        private double timedDrain(int backlog, int concurrency, String mode, WebhookSink.Protocol protocol, int round)
                throws Exception {
            String id = "bench-drain-" + protocol.label() + "-" + round;
            long serverCpu = server.cpuNanos();
            long sinkCpu = HttpLoad.processCpuNanos();
            long started = System.nanoTime();
            admin.subscribeWebhook(id, sink.uri(protocol), secret, concurrency, mode);
            if (!sink.awaitDistinct(backlog, DRAIN_TIMEOUT)) {
                throw new IllegalStateException("the subscription delivered " + sink.distinct() + " of " + backlog
                        + " events over " + protocol.label() + " within " + DRAIN_TIMEOUT + "\nserver output:\n"
                        + server.tail());
            }
            long elapsed = sink.lastNewIdNanos() - started;
            double rate = table.raw("herald    " + name(protocol) + ", concurrency " + concurrency + ", " + mode,
                    backlog, elapsed, HttpLoad.processCpuNanos() - sinkCpu);
            double serverShare = BenchServer.share(server.cpuNanos() - serverCpu, System.nanoTime() - started);
            if (sink.badSignatures() > 0) {
                throw new IllegalStateException(sink.badSignatures() + " deliveries had a bad signature");
            }
            Map<String, Long> wire = sink.requestsByProtocol();
            if (!wire.keySet().equals(Set.of(protocol.wire()))) {
                throw new IllegalStateException("the " + protocol.label() + " drain arrived over " + wire + ", not "
                        + protocol.wire() + " alone");
            }
            out.printf(Locale.ROOT, "          round %d: %,d requests for %,d events (%,d redelivered) over %s,"
                    + " 0 bad signatures; server CPU %.0f%% of the machine%n", round, sink.requests(), sink.distinct(),
                    sink.requests() - sink.distinct(), protocol.wire(), serverShare * 100);
            admin.deleteSubscription(id);
            sink.reset();
            return rate;
        }

        /** Subscribes from the earliest event over one protocol and waits until {@code count} events arrived. */
        private void drain(String id, int count, int concurrency, String mode, WebhookSink.Protocol protocol)
                throws Exception {
            admin.subscribeWebhook(id, sink.uri(protocol), secret, concurrency, mode);
            if (!sink.awaitDistinct(count, DRAIN_TIMEOUT)) {
                throw new IllegalStateException("warm-up over " + protocol.label() + ": " + sink.distinct() + " of "
                        + count + " delivered\n" + server.tail());
            }
            admin.deleteSubscription(id);
            sink.reset();
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
