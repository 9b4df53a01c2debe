package dev.herald.bench;

import dev.herald.schema.SchemaRegistry;
import dev.herald.store.EventStore;
import dev.herald.store.SubscribeOptions;
import dev.herald.store.Subscription;
import dev.herald.store.TopicRouter;
import dev.herald.transport.kafka.KafkaOptions;
import dev.herald.transport.kafka.KafkaTransport;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code herald bench kafka}: Herald's Kafka transport against the bare {@code kafka-clients} producer
 * and consumer with the same settings Herald's guarantees rest on ({@code acks=all}, idempotence,
 * {@code linger.ms=5}), on the same broker, in one run, with topics of its own that it deletes after.
 *
 * <ol>
 *   <li><b>Publish.</b> {@code --clients} threads, one event per call, each call waiting for the
 *       broker's acknowledgement: {@code EventStore.publish(event)} against {@code send(record).get()}
 *       of the event's structured JSON (about 1.5 KB; Herald sends the same event in binary mode:
 *       data as the value, attributes as headers).</li>
 *   <li><b>End to end.</b> One thread publishing at {@code --rate} for {@code --seconds}; latency from
 *       the publish call to the handler (Herald: a subscription; raw: a consumer-group
 *       {@code KafkaConsumer} polling and committing asynchronously), p50/p99.</li>
 * </ol>
 */
public final class KafkaBench {

    static final String USAGE = """
            Usage: herald bench kafka --bootstrap HOST:PORT [--events N] [--clients C] [--rate R] [--seconds S]
              --bootstrap HOST:PORT  the Kafka cluster (required); the run creates topics herald-bench-<random>-*
                                     and deletes them afterwards
              --events N             events per publish run (default 20000)
              --clients C            concurrent publishers, one event per call (default 16)
              --rate R               events per second in the latency runs (default 500)
              --seconds S            duration of each latency run (default 5)""";
    private static final Set<String> OPTIONS = Set.of("--bootstrap", "--events", "--clients", "--rate", "--seconds");
    private static final Duration SETTLE = Duration.ofSeconds(60);
    private static final String ID_HEADER = "ce_id";

    private final String bootstrap;
    private final int events;
    private final int clients;
    private final int rate;
    private final int seconds;
    private final PrintStream out;
    private final SchemaRegistry registry = SchemaRegistry.builtinCatalog();
    private final String run;

    private KafkaBench(BenchArgs args, PrintStream out) {
        this.bootstrap = args.text("--bootstrap", null);
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new IllegalArgumentException("--bootstrap is required: the Kafka cluster to measure, HOST:PORT");
        }
        this.events = args.positive("--events", 20_000);
        this.clients = args.positive("--clients", 16);
        this.rate = args.positive("--rate", 500);
        this.seconds = args.positive("--seconds", 5);
        this.out = out;
        byte[] random = new byte[4];
        ThreadLocalRandom.current().nextBytes(random);
        this.run = "herald-bench-" + HexFormat.of().formatHex(random);
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    /** Runs with the options of {@link #USAGE}; returns 0, or 2 for bad options or an unreachable cluster. */
    public static int run(String[] args, PrintStream out) {
        KafkaBench bench;
        try {
            BenchArgs parsed = BenchArgs.parse("kafka", args, OPTIONS);
            if (parsed.help()) {
                out.println(USAGE);
                return 0;
            }
            bench = new KafkaBench(parsed, out);
        } catch (IllegalArgumentException e) {
            out.println("herald bench kafka: " + e.getMessage());
            out.println(USAGE);
            return 2;
        }
        return Measurements.run(() -> {
            try (Admin admin = bench.admin()) {
                String cluster;
                try {
                    cluster = admin.describeCluster().clusterId().get(15, TimeUnit.SECONDS);
                } catch (Exception e) {
                    out.println("herald bench kafka: --bootstrap: cannot reach Kafka at " + bench.bootstrap + ": "
                            + (e.getCause() == null ? e : e.getCause()));
                    return 2;
                }
                bench.measure(admin, cluster);
                return 0;
            }
        });
    }

    private void measure(Admin admin, String cluster) throws Exception {
        KafkaOptions options = KafkaOptions.builder(bootstrap).build();
        FatEvents fat = new FatEvents(registry);
        // The broker warms up too (JIT, page cache, log segments): a larger warm-up than the database benches.
        int warm = Math.min(3_000, Math.max(clients, events / 5));
        out.printf(Locale.ROOT, "herald bench kafka: events=%d clients=%d rate=%d/s seconds=%d%n", events, clients,
                rate, seconds);
        out.println(Machine.describe());
        out.printf(Locale.ROOT, "Kafka cluster %s at %s; topics %s-* (deleted afterwards), %d partitions each%n",
                cluster, bootstrap, run, options.partitions());
        out.printf(Locale.ROOT, "events: %s, %d B structured JSON; both sides acks=all, idempotent, linger.ms=5%n",
                FatEvents.TYPE, FatEvents.size(fat.event(0)));
        String rawTopic = run + "-raw";
        admin.createTopics(List.of(new NewTopic(rawTopic, options.partitions(), options.replicationFactor())))
                .all().get(30, TimeUnit.SECONDS);
        try (KafkaTransport transport = KafkaTransport.open(options);
             EventStore store = EventStore.builder(transport, registry).meterRegistry(new SimpleMeterRegistry())
                     .router(TopicRouter.single(run + "-herald")).build();
             KafkaProducer<byte[], byte[]> producer = producer()) {
            long next = 0;
            List<CloudEvent> warmup = fat.events(next, warm);
            next += warm;
            List<CloudEvent> measured = fat.events(next, events);
            next += events;
            publish(store, producer, rawTopic, warmup, measured);
            int latencyEvents = (int) Math.min(1_000_000, (long) rate * seconds);
            int latencyWarm = Math.max(1, Math.min(500, rate));
            List<CloudEvent> latencyWarmup = fat.events(next, latencyWarm);
            List<CloudEvent> latencyMeasured = fat.events(next + latencyWarm, latencyEvents);
            out.println();
            out.printf(Locale.ROOT, "end to end: one thread publishing at %d/s for %d s after %d warm-up events;"
                    + " publish call -> handler (ms)%n", rate, seconds, latencyWarm);
            out.printf(Locale.ROOT, "  %-44s %8s %8s %8s %8s %8s%n", "", "events", "lost", "p50", "p99", "max");
            HeraldRuns.Latency raw = rawLatency(producer, rawTopic, latencyWarmup, latencyMeasured);
            latencyRow("raw KafkaProducer -> KafkaConsumer", raw);
            HeraldRuns.Latency herald = heraldLatency(store, latencyWarmup, latencyMeasured);
            latencyRow("Herald publish -> subscription handler", herald);
            out.printf(Locale.ROOT, "  ratio Herald/raw latency: p50 %.2fx, p99 %.2fx (lower is better)%n",
                    herald.percentileMillis(50) / raw.percentileMillis(50),
                    herald.percentileMillis(99) / raw.percentileMillis(99));
            store.unsubscribe(run + "-latency");
        } finally {
            deleteTopics(admin);
        }
    }

    private void publish(EventStore store, KafkaProducer<byte[], byte[]> producer, String rawTopic,
                         List<CloudEvent> warmup, List<CloudEvent> measured) throws Exception {
        out.println();
        out.printf(Locale.ROOT, "publish: %d clients, one event per call, each call waiting for acks=all%n", clients);
        out.printf(Locale.ROOT, "  %-44s %12s%n", "", "events/s");
        List<ProducerRecord<byte[], byte[]>> records = measured.stream().map(e -> record(rawTopic, e)).toList();
        sendConcurrently(producer, warmup.stream().map(e -> record(rawTopic, e)).toList());
        HeraldRuns.publishConcurrently(store, warmup, clients);
        double before = events / (sendConcurrently(producer, records) / 1e9);
        rate("raw KafkaProducer send().get() (before)", before);
        double herald = events / (HeraldRuns.publishConcurrently(store, measured, clients) / 1e9);
        rate("Herald EventStore.publish(event)", herald);
        double after = events / (sendConcurrently(producer, records) / 1e9);
        rate("raw KafkaProducer send().get() (after)", after);
        out.printf(Locale.ROOT, "  ratio Herald/raw publish: %.2fx (raw: mean of before and after)%n",
                herald / ((before + after) / 2));
        out.flush();
    }

    private long sendConcurrently(KafkaProducer<byte[], byte[]> producer, List<ProducerRecord<byte[], byte[]>> records)
            throws Exception {
        int workers = Math.min(clients, records.size());
        return Workers.timed(workers, "bench-raw-kafka", t -> {
            for (ProducerRecord<byte[], byte[]> record : RawSqlite.share(records, t, workers)) {
                producer.send(record).get();
            }
        });
    }

    /**
     * The raw record: the event's structured JSON as value, its id in a {@code ce_id} header (so the
     * consumer can time it) and no key, as Herald sends an event without an ordering key: a key would
     * spread concurrent sends over partitions and change how the producer batches them.
     */
    private static ProducerRecord<byte[], byte[]> record(String topic, CloudEvent event) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, FatEvents.json(event));
        record.headers().add(ID_HEADER, event.getId().getBytes(StandardCharsets.UTF_8));
        return record;
    }

    private HeraldRuns.Latency rawLatency(KafkaProducer<byte[], byte[]> producer, String topic,
                                          List<CloudEvent> warmup, List<CloudEvent> measured) throws Exception {
        LatencyProbe probe = new LatencyProbe(warmup, measured);
        Thread consumer = Thread.ofPlatform().name("bench-raw-consumer").start(() -> {
            try (KafkaConsumer<byte[], byte[]> kafka = consumer()) {
                kafka.subscribe(List.of(topic));
                while (!probe.finished()) {
                    for (ConsumerRecord<byte[], byte[]> record : kafka.poll(Duration.ofMillis(100))) {
                        probe.received(new String(record.headers().lastHeader(ID_HEADER).value(),
                                StandardCharsets.UTF_8));
                    }
                    kafka.commitAsync();
                }
            }
        });
        try {
            return probe.measure(event -> {
                try {
                    producer.send(record(topic, event)).get();
                } catch (Exception e) {
                    throw new IllegalStateException("the raw send failed: " + e, e);
                }
            });
        } finally {
            probe.finish();
            consumer.join();
        }
    }

    private HeraldRuns.Latency heraldLatency(EventStore store, List<CloudEvent> warmup, List<CloudEvent> measured)
            throws Exception {
        LatencyProbe probe = new LatencyProbe(warmup, measured);
        try (Subscription subscription = store.subscribe(run + "-latency", event -> probe.received(event.getId()),
                SubscribeOptions.forTypes(FatEvents.TYPE).topic(run + "-herald"))) {
            return probe.measure(store::publish);
        } finally {
            probe.finish();
        }
    }

    /**
     * Paced publishing of warm-up events (waited for, not recorded) then measured ones, and the
     * latency of each measured event from its publish call to its first receipt.
     */
    private final class LatencyProbe {

        private final Set<String> warming = ConcurrentHashMap.newKeySet();
        private final CountDownLatch warmed;
        private final CountDownLatch done;
        private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
        private final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        private final List<CloudEvent> warmup;
        private final List<CloudEvent> measured;
        private volatile boolean finished;

        LatencyProbe(List<CloudEvent> warmup, List<CloudEvent> measured) {
            this.warmup = warmup;
            this.measured = measured;
            warmup.forEach(event -> warming.add(event.getId()));
            this.warmed = new CountDownLatch(warmup.size());
            this.done = new CountDownLatch(measured.size());
        }

        void received(String id) {
            long now = System.nanoTime();
            Long sent = sentAt.remove(id);
            if (sent != null) {
                latencies.add(now - sent);
                done.countDown();
            } else if (warming.remove(id)) {
                warmed.countDown();
            }
        }

        HeraldRuns.Latency measure(Consumer<CloudEvent> publish) throws InterruptedException {
            paced(warmup, null, publish);
            warmed.await(SETTLE.toMillis(), TimeUnit.MILLISECONDS);
            long elapsed = paced(measured, sentAt, publish);
            done.await(SETTLE.toMillis(), TimeUnit.MILLISECONDS);
            long[] sorted;
            synchronized (latencies) {
                sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            }
            double achieved = measured.size() <= 1 ? rate : (measured.size() - 1) / (elapsed / 1e9);
            return new HeraldRuns.Latency(measured.size(), achieved, sorted);
        }

        boolean finished() {
            return finished;
        }

        void finish() {
            finished = true;
        }
    }

    /** Publishes event i in its slot {@code i / rate} after the first (late slots go at once); returns the span. */
    private long paced(List<CloudEvent> batch, Map<String, Long> sentAt, Consumer<CloudEvent> publish) {
        long period = TimeUnit.SECONDS.toNanos(1) / rate;
        long first = System.nanoTime();
        long started = first;
        int i = 0;
        for (CloudEvent event : batch) {
            LockSupport.parkNanos(first + i++ * period - System.nanoTime());
            started = System.nanoTime();
            if (sentAt != null) {
                sentAt.put(event.getId(), started);
            }
            publish.accept(event);
        }
        return started - first;
    }

    private void latencyRow(String label, HeraldRuns.Latency latency) {
        out.printf(Locale.ROOT, "  %-44s %8d %8d %8.2f %8.2f %8.2f%n", label, latency.received(),
                latency.published() - latency.received(), latency.percentileMillis(50),
                latency.percentileMillis(99), latency.maxMillis());
        out.flush();
    }

    private void rate(String label, double value) {
        out.printf(Locale.ROOT, "  %-44s %,12.0f%n", label, value);
        out.flush();
    }

    private void deleteTopics(Admin admin) {
        try {
            List<String> ours = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(name -> name.startsWith(run)).toList();
            admin.deleteTopics(ours).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            out.println("  (could not delete the topics " + run + "-*: " + e + ")");
        }
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000));
    }

    /** The settings Herald's producer has by default and keeps ({@code KafkaOptions}' documentation). */
    private KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, run + "-raw", ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
