package dev.herald.bench;

import java.nio.file.Path;
import java.util.Set;

/**
 * The arguments of {@code herald bench embedded}.
 *
 * @param events     events (and baseline rows) per throughput run
 * @param publishers concurrent publishing threads (and baseline A's inserting threads)
 * @param rate       events per second published in the latency runs
 * @param seconds    how long each latency run publishes
 * @param data       where the store files go (a fresh subdirectory, deleted afterwards); null: a temp directory
 * @param help       only print the usage
 */
record BenchOptions(int events, int publishers, int rate, int seconds, Path data, boolean help) {

    static final int DEFAULT_EVENTS = 20_000;
    static final int DEFAULT_PUBLISHERS = 16;
    static final int DEFAULT_RATE = 1_000;
    static final int DEFAULT_SECONDS = 5;

    static final String USAGE = """
            Usage: herald bench embedded [--events N] [--publishers P] [--rate R] [--seconds S] [--data DIR]
              --events N      events per throughput run, also rows per SQLite baseline (default 20000)
              --publishers P  concurrent publisher threads, also baseline A's threads (default 16)
              --rate R        events per second in the latency runs (default 1000)
              --seconds S     duration of each latency run (default 5)
              --data DIR      put the store files in a fresh subdirectory of DIR (default: a temp
                              directory); it is deleted afterwards either way""";

    static BenchOptions parse(String[] args) {
        BenchArgs options = BenchArgs.parse("embedded", args,
                Set.of("--events", "--publishers", "--rate", "--seconds", "--data"));
        int rate = options.positive("--rate", DEFAULT_RATE);
        if (rate > 1_000_000_000) {
            throw new IllegalArgumentException("--rate must be at most 1000000000");
        }
        String data = options.text("--data", null);
        return new BenchOptions(options.positive("--events", DEFAULT_EVENTS),
                options.positive("--publishers", DEFAULT_PUBLISHERS), rate,
                options.positive("--seconds", DEFAULT_SECONDS), data == null ? null : Path.of(data), options.help());
    }
}
