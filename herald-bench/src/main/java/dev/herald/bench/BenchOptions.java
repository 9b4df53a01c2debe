package dev.herald.bench;

import java.nio.file.Path;

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
        int events = DEFAULT_EVENTS;
        int publishers = DEFAULT_PUBLISHERS;
        int rate = DEFAULT_RATE;
        int seconds = DEFAULT_SECONDS;
        Path data = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (i == 0 && arg.equals("embedded")) {
                continue;
            }
            if (arg.equals("--help") || arg.equals("-h")) {
                return new BenchOptions(events, publishers, rate, seconds, data, true);
            }
            String name = arg;
            String value;
            int equals = arg.indexOf('=');
            if (arg.startsWith("--") && equals > 0) {
                name = arg.substring(0, equals);
                value = arg.substring(equals + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException(arg.startsWith("--") ? arg + " needs a value" : "unknown argument " + arg);
            }
            switch (name) {
                case "--events" -> events = positive(name, value);
                case "--publishers" -> publishers = positive(name, value);
                case "--rate" -> rate = positive(name, value);
                case "--seconds" -> seconds = positive(name, value);
                case "--data" -> data = Path.of(value);
                default -> throw new IllegalArgumentException("unknown argument " + name);
            }
        }
        if (rate > 1_000_000_000) {
            throw new IllegalArgumentException("--rate must be at most 1000000000");
        }
        return new BenchOptions(events, publishers, rate, seconds, data, false);
    }

    private static int positive(String name, String value) {
        try {
            int n = Integer.parseInt(value.replace("_", ""));
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a positive whole number, got " + value);
    }
}
