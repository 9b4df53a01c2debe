package dev.herald.bench;

import java.io.PrintStream;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code herald bench http}: HTTP intake ({@code POST /v1/events}) of fat 1.5 KB events, one event per
 * request (structured mode) and in batches, against baselines measured in the same run:
 * <ul>
 *   <li>the same server's {@code GET /healthz}, with the same load generator and connections: what the
 *       HTTP stack, the generator and the loopback give before any event work;</li>
 *   <li>on {@code --transport postgres}, raw single-row {@code INSERT} commits of the same bytes into a
 *       table shaped like Herald's event log, from as many clients as there are connections, on the same
 *       PostgreSQL: what durable one-event-per-request storage costs there.</li>
 * </ul>
 * The server runs in a child process ({@link HeraldServe}); the generator ({@link HttpLoad}) in this one,
 * and every row shows both processes' share of the machine's CPU.
 */
public final class HttpBench {

    static final String USAGE = """
            Usage: herald bench http [--connections C] [--events N] [--batch B] [--batch-events M] [server options]
              --connections C    kept-alive connections, one request in flight each (default 32)
              --events N         single-event requests (default 40000)
              --batch B          events per batch request (default 100)
              --batch-events M   events sent in batches (default 200000)
            """ + BenchServer.USAGE;

    private static final Set<String> OPTIONS = options();

    private HttpBench() {
    }

    private static Set<String> options() {
        Set<String> all = new HashSet<>(BenchServer.OPTIONS);
        all.addAll(List.of("--connections", "--events", "--batch", "--batch-events"));
        return Set.copyOf(all);
    }

    /** Runs with these arguments, printing to {@code out}; returns 0, or 2 for bad arguments. */
    public static int run(String[] args, PrintStream out) {
        BenchArgs options;
        int connections;
        int events;
        int batch;
        int batchEvents;
        try {
            options = BenchArgs.parse("http", args, OPTIONS);
            connections = options.positive("--connections", 32);
            events = options.positive("--events", 40_000);
            batch = options.positive("--batch", 100);
            batchEvents = options.positive("--batch-events", 200_000);
            options.choice("--transport", "embedded", Set.of("embedded", "postgres"));
        } catch (IllegalArgumentException e) {
            out.println("herald bench http: " + e.getMessage());
            out.println(USAGE);
            return 2;
        }
        if (options.help()) {
            out.println(USAGE);
            return 0;
        }
        out.printf(Locale.ROOT, "herald bench http: connections=%d events=%d batch=%d batch-events=%d%n", connections,
                events, batch, batchEvents);
        out.println(Machine.describe());
        return Measurements.run(() -> {
            try (BenchServer server = BenchServer.start(options, Map.of())) {
                new Run(server, out, connections).measure(events, batch, batchEvents);
                return 0;
            } catch (IllegalArgumentException e) {
                out.println("herald bench http: " + e.getMessage());
                return 2;
            }
        });
    }

    /** One run against one server. */
    private static final class Run {

        private final BenchServer server;
        private final PrintStream out;
        private final int connections;
        private final FatEventBodies bodies = FatEventBodies.create();
        private final LoadTable table;
        private final LoadRequest publish;
        /** The number of the next event to send: every event of the run is sent once. */
        private long next;

        Run(BenchServer server, PrintStream out, int connections) {
            this.server = server;
            this.out = out;
            this.connections = connections;
            this.table = new LoadTable(out);
            this.publish = LoadRequest.post("/v1/events", FatEventBodies.STRUCTURED, new byte[0])
                    .withHeader("Authorization", "Bearer " + server.token());
        }

        void measure(int events, int batch, int batchEvents) throws Exception {
            out.println(server.describe());
            out.printf(Locale.ROOT, "events: %s, %d B of structured JSON each, every one with its own id;"
                    + " generator: %d kept-alive HTTP/1.1 connections in this process%n", FatEventBodies.TYPE,
                    bodies.eventBytes(), connections);
            warmUp(events, batch);
            out.println();
            table.header();
            int healthRequests = Math.max(events, 1_000);
            HttpLoad.Result health = table.run("baseline  GET /healthz (same server)", load(healthRequests),
                    n -> LoadRequest.get("/healthz"), 1, server);
            HttpLoad.Result single = table.run("herald    POST /v1/events, 1 event/request", load(events).expect(202),
                    singles(), 1, server);
            int batches = Math.max(1, batchEvents / batch);
            HttpLoad.Result batched = table.run("herald    POST /v1/events, " + batch + " events/request",
                    load(batches).expect(202), batches(batch), batch, server);
            double inserts = Double.NaN;
            if (server.postgres() != null) {
                long cpu = HttpLoad.processCpuNanos();
                long nanos = server.postgres().singleRowInserts(bodies, claim(events), events, connections);
                inserts = table.raw("baseline  raw INSERT, " + connections + " clients, 1 row/commit", events, nanos,
                        HttpLoad.processCpuNanos() - cpu);
            }
            out.println();
            table.ratio("1 event/request / healthz", single.perSecond(), health.perSecond(),
                    server.postgres() == null ? ">= 0.5x" : "report");
            table.ratio("batch events/s / healthz req/s", batched.perSecond() * batch, health.perSecond(), "report");
            if (server.postgres() != null) {
                table.ratio("1 event/request / raw INSERT", single.perSecond(), inserts, ">= 0.6x");
                table.ratio("batch events/s / raw INSERT", batched.perSecond() * batch, inserts, "report");
            }
            out.println("gen% = this process (the load generator), srv% = the server process: shares of all "
                    + Runtime.getRuntime().availableProcessors() + " CPUs during the row; PostgreSQL's own CPU is in"
                    + " neither");
            out.flush();
        }

        /** Lets the server's JIT compile the paths measured, on events that are not counted. */
        private void warmUp(int events, int batch) throws InterruptedException {
            int warm = Math.min(5_000, Math.max(200, events / 5));
            requireClean(load(warm).run(n -> LoadRequest.get("/healthz")), "warm-up GET /healthz");
            requireClean(load(warm).expect(202).run(singles()), "warm-up POST /v1/events");
            requireClean(load(Math.max(1, warm / batch)).expect(202).run(batches(batch)), "warm-up batch");
        }

        private void requireClean(HttpLoad.Result result, String what) {
            if (!result.clean()) {
                throw new IllegalStateException(what + ": " + result.problems() + "\nserver output:\n" + server.tail());
            }
        }

        private HttpLoad load(long requests) {
            return HttpLoad.to(List.of(URI.create(server.baseUri().toString()))).connections(connections)
                    .requests(requests);
        }

        /** Requests of one event each, numbered after every event sent before. */
        private HttpLoad.Requests singles() {
            long first = claim(Integer.MAX_VALUE);
            return n -> publish.withBody(bodies.structured(first + n));
        }

        private HttpLoad.Requests batches(int size) {
            long first = claim(Integer.MAX_VALUE);
            LoadRequest batchRequest = publish.withHeader("Content-Type", FatEventBodies.BATCH);
            return n -> batchRequest.withBody(bodies.batch(first + n * size, size));
        }

        /** Reserves {@code count} event numbers; returns the first. */
        private long claim(long count) {
            long first = next;
            next += count;
            return first;
        }
    }
}
