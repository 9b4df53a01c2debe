package dev.herald.server.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.event.JsonEvents;
import dev.herald.schema.SchemaRegistry;
import dev.herald.server.HeraldServer;
import dev.herald.server.config.ServerConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * HTTP intake throughput: events per second accepted by {@code POST /v1/events} in structured mode
 * (one event per request) and in batch mode (batches of 100), against a server on this machine with
 * its embedded store, from a java.net.http load generator on virtual threads in the same JVM.
 *
 * <pre>
 * java -cp ... dev.herald.server.bench.IntakeBenchmark [seconds=15] [single-concurrency=32] [batch-concurrency=8]
 *     [batch=100] [warmup-seconds=60]     (-Dherald.bench.rounds=N measures each mode N times)
 * </pre>
 *
 * The warm-up matters: on a 2-core machine the JIT needs about a minute of load before the figures
 * settle (single mode reaches its steady rate only after that).
 *
 * Each event is ~1 KB (the {@code ci.pipeline.finished} v2 example), validated against its schema,
 * deduplicated and stored durably (fsync, group commit) before the 202. Client and server share the
 * machine's cores, so the figures are a floor for a server on its own machine.
 */
public final class IntakeBenchmark {

    /** One mode's outcome. */
    public record Result(String mode, int concurrency, int batch, long events, long requests, double seconds,
                         long p50Micros, long p99Micros, long errors, double cpuSeconds) {

        public double eventsPerSecond() {
            return events / seconds;
        }

        /** Events per CPU-second of this process (server and load generator): comparable on a busy machine. */
        public double eventsPerCpuSecond() {
            return cpuSeconds <= 0 ? 0 : events / cpuSeconds;
        }

        @Override
        public String toString() {
            return String.format("%-7s concurrency %3d, %3d event(s)/request: %,8.0f events/s, %,7.0f requests/s, "
                            + "p50 %,6.1f ms, p99 %,6.1f ms, %,7.0f events/CPU-s (%.1f cores busy), errors %d",
                    mode, concurrency, batch, eventsPerSecond(), requests / seconds, p50Micros / 1000.0,
                    p99Micros / 1000.0, eventsPerCpuSecond(), cpuSeconds / seconds, errors);
        }
    }

    private static double cpuSeconds() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime() / 1e9;
        }
        return 0;
    }

    /** Measured rounds per mode (system property {@code herald.bench.rounds}, default 1). */
    private static final int ROUNDS = Integer.getInteger("herald.bench.rounds", 1);

    private IntakeBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int singleConcurrency = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int batchConcurrency = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 100;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 60;
        for (Result result : run(Duration.ofSeconds(warmup), Duration.ofSeconds(seconds), singleConcurrency,
                batchConcurrency, batch, System.out)) {
            System.out.println(result);
        }
    }

    /**
     * Starts a server in a temporary directory, then per mode warms up and measures.
     *
     * @param warmup    load before measuring each mode
     * @param duration  each measured round
     */
    public static List<Result> run(Duration warmup, Duration duration, int singleConcurrency, int batchConcurrency,
                                   int batch, PrintStream log) throws Exception {
        Path dir = Files.createTempDirectory("herald-intake-bench");
        String admin = "bench-admin-token-0123456789abcdef0123456789";
        ServerConfig config = ServerConfig.fromMap(Map.of("port", "0", "host", "127.0.0.1", "data", dir.toString(),
                "auth.rate-limit", "0", "events.max-batch-events", Integer.toString(Math.max(batch, 1000))))
                .withInitialAdminToken(admin);
        List<Result> results = new ArrayList<>();
        try (HeraldServer server = HeraldServer.builder(config)
                .firstStartOutput(new PrintStream(PrintStream.nullOutputStream())).start()) {
            URI events = URI.create("http://127.0.0.1:" + server.port() + "/v1/events");
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            Template template = new Template();
            log.printf("warming up %d s per mode…%n", warmup.toSeconds());
            if (singleConcurrency > 0) {
                measure("warmup", client, events, admin, template, singleConcurrency, 1, warmup);
                for (int round = 0; round < ROUNDS; round++) {
                    results.add(measure("single", client, events, admin, template, singleConcurrency, 1, duration));
                }
            }
            if (batchConcurrency > 0) {
                measure("warmup", client, events, admin, template, batchConcurrency, batch, warmup);
                for (int round = 0; round < ROUNDS; round++) {
                    results.add(measure("batch", client, events, admin, template, batchConcurrency, batch, duration));
                }
            }
        }
        return results;
    }

    /** ~1 KB events with unique ids, rendered without Jackson on the hot path. */
    private static final class Template {
        private final String before;
        private final String after;
        private final AtomicLong ids = new AtomicLong();
        private final String run = Long.toHexString(ThreadLocalRandom.current().nextLong());

        Template() {
            ObjectMapper json = new ObjectMapper();
            ObjectNode event = json.createObjectNode();
            event.put("specversion", "1.0");
            event.put("id", "@ID@");
            event.put("source", "https://gitlab.example.com/group/app/-/pipelines");
            event.put("type", "ci.pipeline.finished");
            event.put("time", "2026-11-25T10:00:00Z");
            event.put("subject", "pipeline/1234");
            event.put("project", "gid://gitlab/Project/392359");
            event.put("datacontenttype", "application/json");
            event.set("data", SchemaRegistry.builtinCatalog().latest("ci.pipeline.finished").orElseThrow()
                    .examples().getFirst());
            try {
                String text = json.writeValueAsString(event);
                int at = text.indexOf("@ID@");
                before = text.substring(0, at);
                after = text.substring(at + 4);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        byte[] body(int count) {
            StringBuilder out = new StringBuilder(count * (before.length() + after.length() + 40) + 2);
            if (count > 1) {
                out.append('[');
            }
            for (int i = 0; i < count; i++) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(before).append(run).append('-').append(ids.incrementAndGet()).append(after);
            }
            if (count > 1) {
                out.append(']');
            }
            return out.toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    private static Result measure(String mode, HttpClient client, URI events, String token, Template template,
                                  int concurrency, int batch, Duration duration) throws InterruptedException {
        String contentType = batch > 1 ? JsonEvents.BATCH : JsonEvents.STRUCTURED;
        LongAdder accepted = new LongAdder();
        LongAdder requests = new LongAdder();
        LongAdder errors = new LongAdder();
        long[][] latencies = new long[concurrency][];
        int[] counts = new int[concurrency];
        double cpuStart = cpuSeconds();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < concurrency; t++) {
            int thread = t;
            latencies[t] = new long[1 << 16];
            threads.add(Thread.ofVirtual().start(() -> {
                while (System.nanoTime() < end) {
                    HttpRequest request = HttpRequest.newBuilder(events).timeout(Duration.ofSeconds(30))
                            .header("Authorization", "Bearer " + token).header("Content-Type", contentType)
                            .POST(HttpRequest.BodyPublishers.ofByteArray(template.body(batch))).build();
                    long sent = System.nanoTime();
                    try {
                        HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
                        if (response.statusCode() == 202) {
                            accepted.add(batch);
                            requests.increment();
                            if (counts[thread] < latencies[thread].length) {
                                latencies[thread][counts[thread]++] = (System.nanoTime() - sent) / 1000;
                            }
                        } else {
                            errors.increment();
                        }
                    } catch (IOException e) {
                        errors.increment();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpu = cpuSeconds() - cpuStart;
        long[] all = new long[Arrays.stream(counts).sum()];
        int k = 0;
        for (int t = 0; t < concurrency; t++) {
            System.arraycopy(latencies[t], 0, all, k, counts[t]);
            k += counts[t];
        }
        Arrays.sort(all);
        long p50 = all.length == 0 ? 0 : all[all.length / 2];
        long p99 = all.length == 0 ? 0 : all[Math.min(all.length - 1, (int) (all.length * 0.99))];
        return new Result(mode, concurrency, batch, accepted.sum(), requests.sum(), seconds, p50, p99, errors.sum(), cpu);
    }
}
