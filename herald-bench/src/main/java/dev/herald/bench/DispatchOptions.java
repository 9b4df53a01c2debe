package dev.herald.bench;

import java.nio.file.Path;
import java.util.Set;

/**
 * The arguments of {@code herald bench dispatch}.
 *
 * @param backlog    events published before the subscriptions start draining
 * @param lowRate    events per second in the low-rate latency runs
 * @param highRate   events per second in the high-rate latency runs
 * @param seconds    how long each latency run publishes
 * @param publishers threads publishing in the latency runs (Herald's and Redis's alike)
 * @param workers    Redis worker threads, as Sidekiq's concurrency
 * @param redisHost  the Redis server of the baseline; null: no Redis baseline
 * @param redisPort  its port
 * @param data       where the store files go (a fresh subdirectory, deleted afterwards); null: a temp directory
 * @param help       only print the usage
 */
record DispatchOptions(int backlog, int lowRate, int highRate, int seconds, int publishers, int workers,
                       String redisHost, int redisPort, Path data, boolean help) {

    static final String USAGE = """
            Usage: herald bench dispatch [--backlog N] [--low-rate R] [--high-rate R] [--seconds S]
                                         [--publishers P] [--workers W] [--redis HOST:PORT|none] [--data DIR]
              --backlog N     events the subscriptions drain, with a no-op handler (default 20000)
              --low-rate R    events per second in the low-rate latency runs (default 200)
              --high-rate R   events per second in the high-rate latency runs (default 10000)
              --seconds S     duration of each latency run (default 3)
              --publishers P  threads publishing in the latency runs, as a server's request threads: each
                              waits for its publish to commit, so the rate needs enough of them (default 64)
              --workers W     Redis baseline's worker threads, as Sidekiq's concurrency (default 10)
              --redis H:P     the Redis server of the one-job-per-subscriber baseline
                              (default localhost:6379; none: skip that baseline)
              --data DIR      put the store files in a fresh subdirectory of DIR (default: a temp
                              directory); it is deleted afterwards either way""";

    static DispatchOptions parse(String[] args) {
        BenchArgs options = BenchArgs.parse("dispatch", args, Set.of("--backlog", "--low-rate", "--high-rate",
                "--seconds", "--publishers", "--workers", "--redis", "--data"));
        String redis = options.text("--redis", "localhost:6379");
        String redisHost = null;
        int redisPort = 0;
        if (!redis.equals("none")) {
            int colon = redis.lastIndexOf(':');
            redisPort = colon <= 0 ? 0 : port(redis.substring(colon + 1));
            if (redisPort == 0) {
                throw new IllegalArgumentException("--redis must be HOST:PORT or none, not '" + redis + "'");
            }
            redisHost = redis.substring(0, colon);
        }
        String data = options.text("--data", null);
        return new DispatchOptions(options.positive("--backlog", 20_000), options.positive("--low-rate", 200),
                options.positive("--high-rate", 10_000), options.positive("--seconds", 3),
                options.positive("--publishers", 64), options.positive("--workers", 10), redisHost, redisPort,
                data == null ? null : Path.of(data), options.help());
    }

    /** A TCP port, or 0 when {@code text} is not one. */
    private static int port(String text) {
        try {
            int port = Integer.parseInt(text);
            return port >= 1 && port <= 65_535 ? port : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
