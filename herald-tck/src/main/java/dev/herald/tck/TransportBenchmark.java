package dev.herald.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.transport.EncodedEvent;
import dev.herald.transport.SubscriptionSpec;
import dev.herald.transport.Transport;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * The benchmark every transport runs against its broker's raw client in the same run: publish throughput of
 * 1.5 KB fat events, Herald's transport against the raw client publishing the same events encoded beforehand with
 * the same durability and the same concurrency (one thread, calls of {@code batch} events, each waiting until the
 * broker made them durable), reported as a ratio; then end-to-end latency of lone events from the start of the
 * publish call to the handler. A transport's test supplies only its raw client and its transport:
 *
 * <pre>{@code
 * TransportBenchmark.Report report = TransportBenchmark.named("rabbitmq", "calls waiting for publisher confirms")
 *         .run(transport, new TransportBenchmark.RawClient<byte[]>() { ... });
 * assertThat(report.ratios()).isNotEmpty();
 * }</pre>
 *
 * <p>The figures are printed, first the machine's cores, JDK and load average, and written to
 * {@code target/<name>-bench.txt}. Sizes come from system properties {@code herald.<name>.bench.events},
 * {@code .batch} and {@code .latency.samples}; the defaults are small so a suite run is a smoke test.
 */
public final class TransportBenchmark {

    /** The size of every event, in the CloudEvents JSON format: a fat event. */
    public static final int EVENT_BYTES = 1_536;
    /** Measured rounds after one warm-up round; the best of each side counts. */
    private static final int ROUNDS = 3;
    private static final int LATENCY_WARMUP = 50;

    /**
     * The broker's own client, the baseline. It must publish with the durability Herald's transport guarantees
     * (confirms, acks, OK responses), in calls as large as Herald's.
     *
     * @param <M> the client's message type
     */
    public interface RawClient<M> {

        /** What the baseline is, for the report: {@code raw amqp-client, confirm-mode channel}. */
        String describe();

        /**
         * Makes the message the transport would send for one event as the core hands it over, outside the timing:
         * the baseline sends prepared messages.
         */
        M prepare(String topic, EncodedEvent event);

        /** Publishes one call's messages and returns once the broker made every one durable. */
        void publish(String topic, List<M> batch) throws Exception;

        /** Runs after each round of both sides, e.g. to empty a broker that keeps messages in memory. */
        default void afterRound(String topic) throws Exception {
        }
    }

    /** One events scenario: a label and the events it publishes. */
    private record Scenario(String label, IntFunction<CloudEvent> events) {
    }

    /**
     * The figures.
     *
     * @param lines  every printed line, the machine first
     * @param ratios Herald's publish rate over the raw client's, one per scenario
     */
    public record Report(List<String> lines, List<Double> ratios) {
        public Report {
            lines = List.copyOf(lines);
            ratios = List.copyOf(ratios);
        }
    }

    private final String name;
    private final String durability;
    private final int events;
    private final int batch;
    private final int latencySamples;
    private final List<Scenario> scenarios = new ArrayList<>();
    private boolean subscribed = true;
    private Duration pause = Duration.ofMillis(3);

    private TransportBenchmark(String name, String durability) {
        this.name = Objects.requireNonNull(name, "name");
        this.durability = Objects.requireNonNull(durability, "durability");
        this.events = Integer.getInteger("herald." + name + ".bench.events", 2_000);
        this.batch = Integer.getInteger("herald." + name + ".bench.batch", 100);
        this.latencySamples = Integer.getInteger("herald." + name + ".bench.latency.samples", 100);
    }

    /**
     * A benchmark of transport {@code name} (also the prefix of its system properties and report file).
     *
     * @param durability what "durable" means for a publish call on this broker, for the report
     */
    public static TransportBenchmark named(String name, String durability) {
        return new TransportBenchmark(name, durability);
    }

    /**
     * Adds a throughput scenario. Without one, the benchmark publishes {@link TestEvents#ofStructuredSize} events
     * of {@value #EVENT_BYTES} B, each with an ordering key of its own.
     */
    public TransportBenchmark scenario(String label, IntFunction<CloudEvent> event) {
        scenarios.add(new Scenario(label, event));
        return this;
    }

    /**
     * Whether the publish topic has a subscription while both sides publish (default true: events are stored for
     * one, as in any real deployment); a broker test double that keeps everything in memory may say no.
     */
    public TransportBenchmark subscribed(boolean value) {
        this.subscribed = value;
        return this;
    }

    /** The pause between lone events of the latency measurement (default 3 ms). */
    public TransportBenchmark latencyPause(Duration value) {
        this.pause = value;
        return this;
    }

    /** Runs throughput and latency, prints and writes the report, and returns it. */
    public <M> Report run(Transport transport, RawClient<M> raw) throws Exception {
        String run = name + "-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> lines = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        lines.add(BenchMachine.describe());
        lines.add(String.format(Locale.ROOT, "publish: %,d events of %,d B (CloudEvents JSON size), one thread, calls of "
                + "%d, each returning once durable: %s", events, EVENT_BYTES, batch, durability));
        List<Scenario> chosen = scenarios.isEmpty()
                ? List.of(new Scenario("an ordering key per event", seq -> TestEvents.ofStructuredSize(run, seq, EVENT_BYTES)))
                : scenarios;
        for (int i = 0; i < chosen.size(); i++) {
            ratios.add(throughput(transport, raw, run + "-publish-" + i, chosen.get(i), lines));
        }
        lines.addAll(latency(transport, run));
        lines.forEach(line -> System.out.println("[herald-" + name + " bench] " + line));
        write(lines);
        return new Report(lines, ratios);
    }

    private <M> double throughput(Transport transport, RawClient<M> raw, String topic, Scenario scenario,
                                  List<String> lines) throws Exception {
        // Encoded beforehand, as the core's validation encodes every event before a transport sees it.
        List<EncodedEvent> published = new ArrayList<>(events);
        for (int seq = 0; seq < events; seq++) {
            published.add(EncodedEvent.of(scenario.events().apply(seq)));
        }
        if (subscribed) {
            transport.createSubscription(SubscriptionSpec.of(topic + "-sub", topic));
        }
        transport.publish(topic, published.subList(0, 1)); // the topic exists before either side is timed
        List<M> prepared = new ArrayList<>(events);
        for (EncodedEvent event : published) {
            prepared.add(raw.prepare(topic, event));
        }
        double rawBest = 0;
        double heraldBest = 0;
        for (int round = 0; round <= ROUNDS; round++) { // round 0 warms up; then the best of each, interleaved
            Timed rawRun = () -> inCalls(prepared, call -> raw.publish(topic, call));
            Timed heraldRun = () -> inCalls(published, call -> transport.publish(topic, call));
            // Each side goes first in every other round: neither always meets the broker busy with the other's work.
            boolean rawFirst = round % 2 == 0;
            double first = rate(rawFirst ? rawRun : heraldRun);
            double second = rate(rawFirst ? heraldRun : rawRun);
            double rawRate = rawFirst ? first : second;
            double heraldRate = rawFirst ? second : first;
            raw.afterRound(topic);
            if (round > 0) {
                rawBest = Math.max(rawBest, rawRate);
                heraldBest = Math.max(heraldBest, heraldRate);
            }
        }
        if (subscribed) {
            transport.deleteSubscription(topic + "-sub");
        }
        double ratio = heraldBest / rawBest;
        lines.add("  " + scenario.label() + ":");
        lines.add(String.format(Locale.ROOT, "    %s, messages encoded beforehand: %,.0f events/s", raw.describe(),
                rawBest));
        lines.add(String.format(Locale.ROOT, "    Herald %s: %,.0f events/s", transport.getClass().getSimpleName(),
                heraldBest));
        lines.add(String.format(Locale.ROOT, "    ratio Herald / raw: %.2f", ratio));
        return ratio;
    }

    @FunctionalInterface
    private interface Call<T> {
        void publish(List<T> call) throws Exception;
    }

    private <T> void inCalls(List<T> items, Call<T> call) throws Exception {
        for (int from = 0; from < items.size(); from += batch) {
            call.publish(items.subList(from, Math.min(from + batch, items.size())));
        }
    }

    @FunctionalInterface
    private interface Timed {
        void run() throws Exception;
    }

    private double rate(Timed body) throws Exception {
        long start = System.nanoTime();
        body.run();
        return events / ((System.nanoTime() - start) / 1e9);
    }

    private List<String> latency(Transport transport, String run) throws Exception {
        String topic = run + "-latency";
        SubscriptionSpec spec = SubscriptionSpec.of(run + "-latency-sub", topic);
        transport.createSubscription(spec);
        Map<String, Long> handled = new ConcurrentHashMap<>();
        Map<String, Long> started = new ConcurrentHashMap<>();
        long[] publishNanos = new long[latencySamples];
        try (Collector collector = Collector.start(transport, spec.name(), "latency", delivery -> {
            handled.putIfAbsent(delivery.event().getId(), System.nanoTime());
            return Outcome.ack();
        }, new DeliveryLog(), 100)) {
            // One event per call, paced: the latency of a lone event, not of a queue.
            for (int i = 0; i < latencySamples + LATENCY_WARMUP; i++) {
                CloudEvent event = TestEvents.ofStructuredSize(run, i, EVENT_BYTES);
                long start = System.nanoTime();
                transport.publish(topic, List.of(EncodedEvent.of(event)));
                if (i >= LATENCY_WARMUP) {
                    started.put(event.getId(), start);
                    publishNanos[i - LATENCY_WARMUP] = System.nanoTime() - start;
                }
                Thread.sleep(pause);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> handled.keySet().containsAll(started.keySet()));
            assertThat(collector.log().failures()).isEmpty();
        }
        transport.deleteSubscription(spec.name());
        long[] endToEnd = started.entrySet().stream().mapToLong(e -> handled.get(e.getKey()) - e.getValue())
                .sorted().toArray();
        Arrays.sort(publishNanos);
        return List.of(
                String.format(Locale.ROOT, "latency: %d lone events of %,d B, one publish call each, %d ms apart",
                        latencySamples, EVENT_BYTES, pause.toMillis()),
                String.format(Locale.ROOT, "  publish call (until durable): p50 %.2f ms, p99 %.2f ms",
                        millis(publishNanos, 0.50), millis(publishNanos, 0.99)),
                String.format(Locale.ROOT, "  publish -> handler: p50 %.2f ms, p99 %.2f ms",
                        millis(endToEnd, 0.50), millis(endToEnd, 0.99)));
    }

    private static double millis(long[] sorted, double quantile) {
        int index = (int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }

    private void write(List<String> lines) {
        Path target = Path.of("target");
        if (Files.isDirectory(target)) {
            try {
                Files.write(target.resolve(name + "-bench.txt"), lines);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
