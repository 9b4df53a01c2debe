package dev.herald.bench;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The table the HTTP benchmarks print: one row per measurement with its throughput, latency and how much
 * of the machine the load generator (this process) and the server used meanwhile. The two CPU columns
 * are what shows that the generator did not starve the server: on a 2-core machine, a generator at 20%
 * leaves the server 80% of the machine, and a server well below the rest is waiting on something other
 * than CPU (fsync, locks, the network).
 */
final class LoadTable {

    private static final String FORMAT = "%-52s %8s %8s %7s %10s %7s %7s %5s %5s%n";
    private final PrintStream out;

    LoadTable(PrintStream out) {
        this.out = out;
    }

    void header() {
        out.printf(Locale.ROOT, FORMAT, "", "requests", "events", "seconds", "events/s", "p50 ms", "p99 ms", "gen%",
                "srv%");
    }

    /**
     * Runs one load, prints its row and returns its result; fails (with the server's last lines) when a
     * request was not answered as expected.
     *
     * @param perRequest events each request carries (1 for a request that carries none: the rate is per request)
     * @param server     whose CPU to show, or null
     */
    HttpLoad.Result run(String label, HttpLoad load, HttpLoad.Requests requests, int perRequest, BenchServer server)
            throws InterruptedException {
        long serverBefore = server == null ? -1 : server.cpuNanos();
        HttpLoad.Result result = load.run(requests);
        long serverCpu = server == null || serverBefore < 0 ? -1 : server.cpuNanos() - serverBefore;
        if (!result.clean()) {
            throw new IllegalStateException(label + ": " + result.problems()
                    + (server == null ? "" : "\nserver output:\n" + server.tail()));
        }
        out.printf(Locale.ROOT, FORMAT, label, result.requests(), result.expected() * perRequest,
                String.format(Locale.ROOT, "%.2f", result.seconds()),
                String.format(Locale.ROOT, "%,.0f", result.perSecond() * perRequest),
                String.format(Locale.ROOT, "%.2f", result.percentileMillis(50)),
                String.format(Locale.ROOT, "%.2f", result.percentileMillis(99)), percent(result.cpuShare()),
                percent(BenchServer.share(serverCpu, result.elapsedNanos())));
        out.flush();
        return result;
    }

    /** A row for a measurement without HTTP (a raw database baseline); returns its rate. */
    double raw(String label, long operations, long elapsedNanos, long generatorCpuNanos) {
        double rate = operations / (elapsedNanos / 1e9);
        out.printf(Locale.ROOT, FORMAT, label, "-", operations, String.format(Locale.ROOT, "%.2f", elapsedNanos / 1e9),
                String.format(Locale.ROOT, "%,.0f", rate), "-", "-",
                percent(BenchServer.share(generatorCpuNanos, elapsedNanos)), "-");
        out.flush();
        return rate;
    }

    /** A ratio line: {@code ratio  what  0.42x  (target >= 0.5x)}. */
    void ratio(String what, double herald, double baseline, String target) {
        out.printf(Locale.ROOT, "ratio     %-42s %6.2fx   (target %s)%n", what, herald / baseline, target);
        out.flush();
    }

    private static String percent(double share) {
        return Double.isNaN(share) ? "-" : String.format(Locale.ROOT, "%.0f", share * 100);
    }
}
