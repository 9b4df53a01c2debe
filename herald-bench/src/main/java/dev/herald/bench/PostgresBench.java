package dev.herald.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.herald.filter.Filter;
import dev.herald.schema.SchemaRegistry;
import dev.herald.store.EventStore;
import dev.herald.store.SubscribeOptions;
import dev.herald.store.Subscription;
import dev.herald.store.Transactions;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.StartPosition;
import dev.herald.transport.postgres.PostgresOptions;
import dev.herald.transport.postgres.PostgresTransport;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code herald bench postgres}: Herald's PostgreSQL transport against raw SQL on the same database,
 * in a fresh schema that is dropped afterwards.
 *
 * <ol>
 *   <li><b>Outbox.</b> {@code --threads} threads; each transaction inserts a business row and publishes
 *       one 1.5 KB event with {@code EventStore.publish(event, connection)} on the same connection, while
 *       a subscription's handler counts the events end to end. Baseline: the same business row plus a
 *       hand-written outbox row per transaction, taken by a {@code SELECT … FOR UPDATE SKIP LOCKED}
 *       DELETE poller. The raw run goes before and after Herald's (the machine's load drifts) and the
 *       ratio is against their mean.</li>
 *   <li><b>Publish.</b> {@code --clients} threads calling {@code EventStore.publish(event)}, one event
 *       per call, against as many clients committing single-row INSERTs of the same bytes.</li>
 *   <li><b>Filtered drain.</b> {@code --events} events already in a topic's log, one in ten of the wanted
 *       project; a subscription from the earliest event handles the wanted ones. Its filter, an exact project,
 *       runs natively: in the SQL of the pull, so the other nine in ten never become deliveries. Baseline: the
 *       same condition as a Java predicate, which has no native part, so every event is leased and acknowledged
 *       and the dispatcher drops nine in ten. The baseline runs before and after; the ratio is against their
 *       mean.</li>
 * </ol>
 * Spring Modulith cannot run here without its framework; its figure from an earlier run on this
 * machine is printed as a reference, never as a measured ratio.
 */
public final class PostgresBench {

    static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
    static final String USAGE = """
            Usage: herald bench postgres [--url JDBC_URL] [--events N] [--threads T] [--clients C] [--pool P]
              --url URL      the database (default %s); the run creates a fresh
                             schema herald_bench_<random> there and drops it afterwards
              --events N     transactions per outbox run, events per publish run and events in the
                             filtered drain's log (default 20000)
              --threads T    outbox transactions in flight (default 16)
              --clients C    concurrent publishers in the publish run (default 32)
              --pool P       Herald's own connection pool (PostgresOptions.poolSize, default 10)"""
            .formatted(DEFAULT_URL);
    private static final Set<String> OPTIONS = Set.of("--url", "--events", "--threads", "--clients", "--pool");
    /** Handler calls at once in the subscription that counts the outbox's events. */
    static final int CONSUMER_CONCURRENCY = 16;
    /** Spring Modulith 2.0.3's JDBC event publication registry on this project's reference machine. */
    private static final double MODULITH_E2E = 690;
    /** The topic of the filtered drain: its own, so that its subscriptions from the earliest read only it. */
    private static final String FILTERED_TOPIC = "bench-filtered";
    /** The project one event in ten of the filtered drain belongs to. */
    private static final String WANTED_PROJECT = "gid://gitlab/Project/1";

    private final String url;
    private final int events;
    private final int threads;
    private final int clients;
    private final int pool;
    private final PrintStream out;
    private final SchemaRegistry registry = SchemaRegistry.builtinCatalog();

    private PostgresBench(BenchArgs args, PrintStream out) {
        this.url = args.text("--url", DEFAULT_URL);
        this.events = args.positive("--events", 20_000);
        this.threads = args.positive("--threads", 16);
        this.clients = args.positive("--clients", 32);
        this.pool = args.positive("--pool", 10);
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    /** Runs with the options of {@link #USAGE}; returns 0, or 2 for bad options or an unreachable database. */
    public static int run(String[] args, PrintStream out) {
        BenchArgs parsed;
        try {
            parsed = BenchArgs.parse("postgres", args, OPTIONS);
        } catch (IllegalArgumentException e) {
            out.println("herald bench postgres: " + e.getMessage());
            out.println(USAGE);
            return 2;
        }
        if (parsed.help()) {
            out.println(USAGE);
            return 0;
        }
        PostgresBench bench;
        try {
            bench = new PostgresBench(parsed, out);
        } catch (IllegalArgumentException e) {
            out.println("herald bench postgres: " + e.getMessage());
            out.println(USAGE);
            return 2;
        }
        String version;
        try (Connection connection = DriverManager.getConnection(bench.url);
             Statement statement = connection.createStatement();
             var rs = statement.executeQuery("SHOW server_version")) {
            rs.next();
            version = rs.getString(1);
        } catch (SQLException e) {
            out.println("herald bench postgres: --url: cannot connect to " + redact(bench.url) + ": " + e.getMessage());
            return 2;
        }
        return Measurements.run(() -> {
            bench.measure(version);
            return 0;
        });
    }

    private void measure(String version) throws Exception {
        try (PostgresScratch scratch = PostgresScratch.on(url)) {
            measure(version, scratch);
        }
    }

    private void measure(String version, PostgresScratch scratch) throws Exception {
        String schema = scratch.schema();
        FatEvents fat = new FatEvents(registry);
        int warm = Math.min(1_000, Math.max(threads, events / 10));
        out.printf(Locale.ROOT, "herald bench postgres: events=%d threads=%d clients=%d pool=%d%n", events, threads,
                clients, pool);
        out.println(Machine.describe());
        out.printf(Locale.ROOT, "PostgreSQL %s at %s, schema %s (dropped afterwards)%n", version, redact(url), schema);
        out.printf(Locale.ROOT, "events: %s, %d B structured JSON; built before timing%n", FatEvents.TYPE,
                FatEvents.size(fat.event(0)));
        try (HikariDataSource callers = callers(Math.max(threads, clients) + RawPostgres.POLLERS);
             PostgresTransport transport = PostgresTransport.open(url,
                     PostgresOptions.defaults().withSchema(schema).withPoolSize(pool));
             EventStore store = HeraldRuns.store(transport, registry)) {
            RawPostgres raw = new RawPostgres(callers, schema);
            raw.createTables();
            long next = 0;
            List<CloudEvent> warmup = fat.events(next, warm);
            next += warm;
            List<CloudEvent> measured = fat.events(next, events);
            next += events;
            outbox(store, callers, raw, warmup, measured);
            publish(store, scratch, fat.events(next, warm), fat.events(next + warm, events), next + warm);
            next += warm + events;
            filteredDrain(store, transport, fat.events(next, events));
        }
    }

    private void outbox(EventStore store, HikariDataSource callers, RawPostgres raw, List<CloudEvent> warmup,
                        List<CloudEvent> measured) throws Exception {
        out.println();
        out.printf(Locale.ROOT, "outbox: %d threads, each transaction a business row + one event; a consumer counts"
                + " (%d handler calls at once)%n", threads, CONSUMER_CONCURRENCY);
        out.printf(Locale.ROOT, "  %-58s %12s %12s%n", "", "publish tx/s", "end to end/s");
        List<byte[]> rows = measured.stream().map(FatEvents::json).toList();
        rawOutbox(raw, warmup.stream().map(FatEvents::json).toList());
        heraldOutbox(store, callers, raw, warmup, "bench-outbox-warmup");
        Rates before = rawOutbox(raw, rows);
        row("raw SQL outbox + SKIP LOCKED DELETE poller (before)", before);
        Rates herald = heraldOutbox(store, callers, raw, measured, "bench-outbox");
        row("Herald publish(event, connection) + subscription", herald);
        Rates after = rawOutbox(raw, rows);
        row("raw SQL outbox + SKIP LOCKED DELETE poller (after)", after);
        double rawPublish = (before.publish + after.publish) / 2;
        double rawE2e = (before.endToEnd + after.endToEnd) / 2;
        out.printf(Locale.ROOT, "  ratio Herald/raw outbox: publish %.2fx, end to end %.2fx (raw: mean of before"
                + " and after)%n", herald.publish / rawPublish, herald.endToEnd / rawE2e);
        out.printf(Locale.ROOT, "  reference, not measured in this run: Spring Modulith 2.0.3 JDBC registry, same shape,"
                + " earlier on this machine: 0.87-0.94k tx/s, end to end 0.67-0.71k/s; Herald end to end now"
                + " %.2fx of its 0.69k/s (target >= 3x)%n", herald.endToEnd / MODULITH_E2E);
        out.flush();
    }

    /**
     * Herald's publish against the HTTP bench's raw baseline: single-row INSERTs of the same 1.5 KB
     * bodies into a table shaped like Herald's log ({@link PostgresScratch#singleRowInserts}).
     */
    private void publish(EventStore store, PostgresScratch scratch, List<CloudEvent> warmup,
                         List<CloudEvent> measured, long first) throws Exception {
        out.println();
        out.printf(Locale.ROOT, "publish: %d clients, one event per call / per committed INSERT%n", clients);
        out.printf(Locale.ROOT, "  %-58s %12s%n", "", "events/s");
        FatEventBodies bodies = FatEventBodies.create();
        scratch.singleRowInserts(bodies, 0, warmup.size(), clients);
        HeraldRuns.publishConcurrently(store, warmup, clients);
        double before = rate(events, scratch.singleRowInserts(bodies, first, events, clients));
        rate("raw single-row INSERT commits (before)", before);
        double herald = rate(events, HeraldRuns.publishConcurrently(store, measured, clients));
        rate("Herald EventStore.publish(event)", herald);
        double after = rate(events, scratch.singleRowInserts(bodies, first, events, clients));
        rate("raw single-row INSERT commits (after)", after);
        out.printf(Locale.ROOT, "  ratio Herald/raw publish: %.2fx (target >= 0.60x; raw: mean of before and after)%n",
                herald / ((before + after) / 2));
        out.flush();
    }

    private void filteredDrain(EventStore store, PostgresTransport transport, List<CloudEvent> fatEvents)
            throws Exception {
        // Every tenth event, the last one included, is wanted: the drain ends with the log.
        List<CloudEvent> log = new ArrayList<>(fatEvents.size());
        for (int i = 0; i < fatEvents.size(); i++) {
            CloudEvent event = fatEvents.get(i);
            log.add(i % 10 == (fatEvents.size() - 1) % 10
                    ? CloudEventBuilder.v1(event).withExtension("project", WANTED_PROJECT).build() : event);
        }
        for (int from = 0; from < log.size(); from += 1_000) {
            transport.publish(FILTERED_TOPIC, EncodedEvent.all(log.subList(from, Math.min(log.size(), from + 1_000))));
        }
        Set<String> wanted = log.stream().filter(e -> WANTED_PROJECT.equals(e.getExtension("project")))
                .map(CloudEvent::getId).collect(Collectors.toSet());
        out.println();
        out.printf(Locale.ROOT, "filtered drain: %d events in the log, %d of the wanted project; a subscription from"
                + " the earliest handles those (%d handler calls at once)%n", log.size(), wanted.size(),
                CONSUMER_CONCURRENCY);
        out.printf(Locale.ROOT, "  %-58s %12s%n", "", "log events/s");
        SubscribeOptions fromEarliest = SubscribeOptions.defaults().topic(FILTERED_TOPIC).startAt(StartPosition.EARLIEST)
                .concurrency(CONSUMER_CONCURRENCY);
        SubscribeOptions inJava = fromEarliest.where(e -> WANTED_PROJECT.equals(e.getExtension("project")));
        SubscribeOptions inSql = fromEarliest.filter(Filter.exact("project", WANTED_PROJECT));
        double before = rate(log.size(), drain(store, "bench-filtered-java-before", inJava, wanted));
        rate("Java predicate, every event delivered (before)", before);
        double herald = rate(log.size(), drain(store, "bench-filtered-native", inSql, wanted));
        rate("exact project filter, native: in the pull's SQL", herald);
        double after = rate(log.size(), drain(store, "bench-filtered-java-after", inJava, wanted));
        rate("Java predicate, every event delivered (after)", after);
        out.printf(Locale.ROOT, "  ratio native/dispatcher filtering: %.2fx (dispatcher: mean of before and after)%n",
                herald / ((before + after) / 2));
        out.flush();
    }

    /** Nanoseconds from subscribing until every wanted event was handled. */
    private static long drain(EventStore store, String name, SubscribeOptions options, Set<String> wanted)
            throws Exception {
        Set<String> waiting = ConcurrentHashMap.newKeySet();
        waiting.addAll(wanted);
        CountDownLatch handled = new CountDownLatch(wanted.size());
        long begin = System.nanoTime();
        try (Subscription subscription = store.subscribe(name, event -> {
            if (waiting.remove(event.getId())) {
                handled.countDown();
            }
        }, options)) {
            if (!handled.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException(handled.getCount() + " wanted events not handled in 10 minutes");
            }
            return System.nanoTime() - begin;
        }
    }

    /** Publish and end-to-end rates of one outbox run. */
    private record Rates(double publish, double endToEnd) {
    }

    private Rates rawOutbox(RawPostgres raw, List<byte[]> rows) throws Exception {
        try (RawPostgres.Poller poller = raw.startPoller(rows.size())) {
            long begin = System.nanoTime();
            long published = raw.outbox(rows, Math.min(threads, rows.size()));
            long consumed = poller.await() - begin;
            return new Rates(rate(rows.size(), published), rate(rows.size(), consumed));
        }
    }

    private Rates heraldOutbox(EventStore store, HikariDataSource callers, RawPostgres raw, List<CloudEvent> batch,
                               String subscription) throws Exception {
        Set<String> expected = ConcurrentHashMap.newKeySet();
        batch.forEach(event -> expected.add(event.getId()));
        CountDownLatch handled = new CountDownLatch(batch.size());
        int workers = Math.min(threads, batch.size());
        try (Subscription counting = store.subscribe(subscription, event -> {
            if (expected.remove(event.getId())) {
                handled.countDown();
            }
        }, SubscribeOptions.forTypes(FatEvents.TYPE).concurrency(CONSUMER_CONCURRENCY))) {
            long begin = System.nanoTime();
            long published = Workers.timed(workers, "bench-outbox", t -> {
                List<CloudEvent> share = RawSqlite.share(batch, t, workers);
                for (int i = 0; i < share.size(); i++) {
                    long n = i;
                    CloudEvent event = share.get(i);
                    Transactions.inTransaction(callers, connection -> {
                        raw.insertOrder(connection, n);
                        return store.publish(event, connection);
                    });
                }
            });
            if (!handled.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException(handled.getCount() + " outbox events not handled in 10 minutes");
            }
            long consumed = System.nanoTime() - begin;
            return new Rates(rate(batch.size(), published), rate(batch.size(), consumed));
        }
    }

    private HikariDataSource callers(int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(size);
        config.setPoolName("bench-callers");
        return new HikariDataSource(config);
    }

    private void row(String label, Rates rates) {
        out.printf(Locale.ROOT, "  %-58s %,12.0f %,12.0f%n", label, rates.publish, rates.endToEnd);
        out.flush();
    }

    private void rate(String label, double rate) {
        out.printf(Locale.ROOT, "  %-58s %,12.0f%n", label, rate);
        out.flush();
    }

    private static double rate(int count, long nanos) {
        return count / (nanos / 1e9);
    }

    /** A JDBC URL without its password. */
    static String redact(String jdbcUrl) {
        return jdbcUrl.replaceAll("(?i)(password=)[^&]*", "$1***");
    }
}
