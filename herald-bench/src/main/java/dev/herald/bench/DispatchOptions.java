package dev.herald.bench;

import java.nio.file.Path;

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
              --publishers P  threads publishing in the latency runs (default 8)
              --workers W     Redis baseline's worker threads, as Sidekiq's concurrency (default 10)
              --redis H:P     the Redis server of the one-job-per-subscriber baseline
                              (default localhost:6379; none: skip that baseline)
              --data DIR      put the store files in a fresh subdirectory of DIR (default: a temp
                              directory); it is deleted afterwards either way""";

    static DispatchOptions parse(String[] args) {
        Builder b = new Builder();
        b.help = Args.parse(args, "dispatch", (name, value) -> {
            switch (name) {
                case "--backlog" -> b.backlog = Args.positive(name, value);
                case "--low-rate" -> b.lowRate = Args.positive(name, value);
                case "--high-rate" -> b.highRate = Args.positive(name, value);
                case "--seconds" -> b.seconds = Args.positive(name, value);
                case "--publishers" -> b.publishers = Args.positive(name, value);
                case "--workers" -> b.workers = Args.positive(name, value);
                case "--redis" -> b.redis(value);
                case "--data" -> b.data = Path.of(value);
                default -> throw new IllegalArgumentException("unknown argument " + name);
            }
        });
        return new DispatchOptions(b.backlog, b.lowRate, b.highRate, b.seconds, b.publishers, b.workers,
                b.redisHost, b.redisPort, b.data, b.help);
    }

    /** The options as they are read. */
    private static final class Builder {
        int backlog = 20_000;
        int lowRate = 200;
        int highRate = 10_000;
        int seconds = 3;
        int publishers = 8;
        int workers = 10;
        String redisHost = "localhost";
        int redisPort = 6379;
        Path data;
        boolean help;

        void redis(String value) {
            if (value.equals("none")) {
                redisHost = null;
                return;
            }
            int colon = value.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("--redis must be HOST:PORT or none, got " + value);
            }
            redisHost = value.substring(0, colon);
            redisPort = Args.positive("--redis port", value.substring(colon + 1));
        }
    }
}
