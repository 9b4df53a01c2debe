package dev.herald.transport.embedded;

import dev.herald.transport.Capability;
import dev.herald.transport.Consumer;
import dev.herald.transport.DeadLetter;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.LogPage;
import dev.herald.transport.LogQuery;
import dev.herald.transport.SequenceScan;
import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionSpec;
import dev.herald.transport.SubscriptionStats;
import dev.herald.transport.TopicSignals;
import dev.herald.transport.Transport;
import dev.herald.transport.TransportException;
import dev.herald.transport.spi.Lifecycle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Herald's default transport: a durable event log in one SQLite file, nothing to install or run.
 *
 * <pre>{@code
 * try (Transport transport = EmbeddedTransport.open(Path.of("herald.db"))) {
 *     transport.createSubscription(SubscriptionSpec.of("audit", "events").withStart(StartPosition.EARLIEST));
 *     transport.publish("events", List.of(event));
 *     try (Consumer consumer = transport.openConsumer("audit")) {
 *         for (Delivery delivery : consumer.poll(100, Duration.ofSeconds(1))) {
 *             handle(delivery.event());
 *             delivery.ack();
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p><b>Durability.</b> {@link #publish} returns once the events are committed with
 * {@code synchronous=FULL} in WAL mode: they survive a process crash and, as far as the disk honours
 * fsync, power loss. The writes of all threads (publishes, polls, acknowledgements) are batched into
 * shared transactions by one writer thread (group commit, see {@code SqliteWriter}), so throughput
 * is not capped by the fsync rate. Leases and settlements are committed without fsync: they
 * survive a crash of the process, and on power loss the last ones may be undone, which only means
 * redelivery. {@code ack}, {@code nack} and {@code deadLetter} return once committed.
 *
 * <p><b>Delivery.</b> Each subscription keeps a cursor into its topic and a table of deliveries
 * pulled from the log when its consumers poll (at most
 * {@link EmbeddedOptions#maxBufferedPerSubscription()}). A delivery handed to a consumer is leased
 * to it until it is settled, its consumer closes, its process ends (leases are released on the next
 * open), or {@link EmbeddedOptions#ackDeadline()} passes. Consumers of one subscription share its
 * deliveries; an ordered subscription hands out only the oldest unsettled delivery of each ordering
 * key. Delivery delays and nack delays are visibility times in the store.
 *
 * <p><b>Retention.</b> Events older than {@link EmbeddedOptions#retentionMaxAge()} are deleted
 * periodically, except events a subscription has not finished with: age never takes a
 * subscription's backlog. The size limit {@link EmbeddedOptions#retentionMaxBytes()} is hard: while
 * the store is larger, the oldest events go, first those nobody needs, then, if that is not enough,
 * those a lagging subscription has not consumed; each subscription counts what it lost in
 * {@link SubscriptionStats#droppedByRetention()} (see {@code Retention} for why).
 *
 * <p><b>One process.</b> A store is opened by one transport at a time, enforced by an OS lock on
 * {@code <file>.lock}; a second {@link #open} fails with a {@link TransportException}. The schema is
 * versioned and upgraded in place on open.
 */
public final class EmbeddedTransport implements Transport {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedTransport.class);
    private static final Set<Capability> CAPABILITIES = Set.copyOf(EnumSet.of(Capability.DURABLE, Capability.ORDERING,
            Capability.REPLAY, Capability.CONSUMER_GROUPS, Capability.ATOMIC_BATCH, Capability.NATIVE_DELAY,
            Capability.QUERY));
    private static final int READ_CONNECTIONS = 2;

    private final Path file;
    private final StoreLock lock;
    private final SqliteWriter writer;
    private final Readers readers;
    private final TopicSignals<Long> signals;
    private final EventLog log;
    private final DeliveryQueue queue;
    private final Retention retention;
    private final ScheduledExecutorService retentionTimer;
    private final Set<EmbeddedConsumer> consumers = ConcurrentHashMap.newKeySet();
    private final AtomicLong consumerIds = new AtomicLong();
    private final Lifecycle lifecycle;

    private EmbeddedTransport(Path file, StoreLock lock, SqliteWriter writer, Readers readers, TopicSignals<Long> signals,
                              EventLog log, DeliveryQueue queue, EmbeddedOptions options) {
        this.file = file;
        this.lifecycle = new Lifecycle("the embedded store " + file);
        this.lock = lock;
        this.writer = writer;
        this.readers = readers;
        this.signals = signals;
        this.log = log;
        this.queue = queue;
        this.retention = new Retention(options);
        this.retentionTimer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "herald-embedded-retention");
            thread.setDaemon(true);
            return thread;
        });
        long interval = Math.max(1, options.retentionInterval().toMillis());
        retentionTimer.scheduleWithFixedDelay(this::runRetention, interval, interval, TimeUnit.MILLISECONDS);
    }

    /** Opens (creating it if needed) the store in {@code file} with {@link EmbeddedOptions#defaults()}. */
    public static EmbeddedTransport open(Path file) {
        return open(file, EmbeddedOptions.defaults());
    }

    /**
     * Opens the store in {@code file}, creating the file and its directory if needed, upgrading its
     * schema, and releasing the leases a previous process left behind.
     *
     * @throws TransportException when the store is open elsewhere, unreadable, or from a newer Herald
     */
    public static EmbeddedTransport open(Path file, EmbeddedOptions options) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(options, "options");
        Path absolute = file.toAbsolutePath();
        try {
            Files.createDirectories(absolute.getParent());
        } catch (IOException e) {
            throw new TransportException("cannot create the directory of " + absolute, e);
        }
        StoreLock lock = StoreLock.acquire(absolute);
        Connection connection = null;
        SqliteWriter writer = null;
        try {
            connection = Sqlite.openWriter(absolute, options);
            Schema.migrate(connection);
            EventLog log = new EventLog(connection);
            TopicSignals<Long> signals = new TopicSignals<>();
            writer = new SqliteWriter(connection, signals, options);
            DeliveryQueue queue = new DeliveryQueue(options);
            int released = writer.call(SqliteWriter.Sync.NORMAL, queue::releaseAll);
            if (released > 0) {
                LOG.info("released {} leases left by the previous process of {}", released, absolute);
            }
            Readers readers = new Readers(absolute, options, READ_CONNECTIONS);
            return new EmbeddedTransport(absolute, lock, writer, readers, signals, log, queue, options);
        } catch (SQLException | RuntimeException e) {
            if (writer != null) {
                writer.close();
            } else if (connection != null) {
                closeQuietly(connection);
            }
            lock.close();
            if (e instanceof TransportException transportException) {
                throw transportException;
            }
            throw new TransportException("cannot open the embedded store " + absolute + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String name() {
        return "embedded";
    }

    @Override
    public Set<Capability> capabilities() {
        return CAPABILITIES;
    }

    /** Appends the events in one transaction (all or none) and returns once it is fsynced. */
    @Override
    public void publish(String topic, List<EncodedEvent> events) {
        requireTopic(topic);
        List<EncodedEvent> rows = List.copyOf(Objects.requireNonNull(events, "events")); // rejects null elements
        if (rows.isEmpty()) {
            return;
        }
        // No savepoint: appending fails only when the store does, and then nothing of the transaction commits.
        writer().callWithoutSavepoint(SqliteWriter.Sync.FULL, tx -> {
            log.append(tx, topic, rows);
            return null;
        });
    }

    @Override
    public void createSubscription(SubscriptionSpec spec) {
        Objects.requireNonNull(spec, "spec");
        writer().call(SqliteWriter.Sync.FULL, tx -> {
            SubscriptionStore.create(tx, spec);
            return null;
        });
    }

    @Override
    public Optional<SubscriptionSpec> subscription(String name) {
        Objects.requireNonNull(name, "name");
        return readers().read(connection -> SubscriptionStore.find(connection, name))
                .map(SubscriptionStore.Stored::spec);
    }

    @Override
    public void deleteSubscription(String name) {
        Objects.requireNonNull(name, "name");
        writer().call(SqliteWriter.Sync.FULL, tx -> {
            SubscriptionStore.delete(tx, name);
            return null;
        });
    }

    @Override
    public Consumer openConsumer(String subscription) {
        Objects.requireNonNull(subscription, "subscription");
        SubscriptionStore.Stored stored = readers().read(connection -> SubscriptionStore.find(connection, subscription))
                .orElseThrow(() -> SubscriptionStore.unknown(subscription));
        EmbeddedConsumer consumer = new EmbeddedConsumer(consumerIds.incrementAndGet(), stored, writer, queue,
                signals, consumers::remove);
        consumers.add(consumer);
        if (lifecycle.isClosed()) {
            // close() may have missed it; a consumer must not outlive its transport.
            consumer.close();
            throw lifecycle.closedError();
        }
        return consumer;
    }

    @Override
    public void seek(String subscription, StartPosition position) {
        Objects.requireNonNull(subscription, "subscription");
        Objects.requireNonNull(position, "position");
        writer().call(SqliteWriter.Sync.FULL, tx -> {
            SubscriptionStore.seek(tx, subscription, position);
            return null;
        });
    }

    @Override
    public SubscriptionStats stats(String subscription) {
        Objects.requireNonNull(subscription, "subscription");
        return readers().read(connection -> SubscriptionStore.stats(connection, subscription));
    }

    @Override
    public List<DeadLetter> deadLetters(String subscription, String afterIdOrNull, int limit) {
        Objects.requireNonNull(subscription, "subscription");
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        return readers().read(connection -> DeadLetterStore.list(connection,
                SubscriptionStore.find(connection, subscription).orElseThrow(() -> SubscriptionStore.unknown(subscription)),
                afterIdOrNull, limit));
    }

    @Override
    public int redrive(String subscription, List<String> deadLetterIds) {
        Objects.requireNonNull(subscription, "subscription");
        Objects.requireNonNull(deadLetterIds, "deadLetterIds");
        return writer().call(SqliteWriter.Sync.FULL,
                tx -> DeadLetterStore.redrive(tx, SubscriptionStore.require(tx, subscription), deadLetterIds));
    }

    @Override
    public int discard(String subscription, List<String> deadLetterIds) {
        Objects.requireNonNull(subscription, "subscription");
        Objects.requireNonNull(deadLetterIds, "deadLetterIds");
        return writer().call(SqliteWriter.Sync.FULL,
                tx -> DeadLetterStore.discard(tx, SubscriptionStore.require(tx, subscription), deadLetterIds));
    }

    /**
     * Filters by reading ({@link SequenceScan}) on a read connection; sequence numbers are the log's,
     * shared by all topics.
     */
    @Override
    public LogPage query(LogQuery query) {
        Objects.requireNonNull(query, "query");
        requireTopic(query.topic());
        return SequenceScan.page(query, name(), (after, limit) ->
                readers().read(connection -> EventLog.read(connection, query.topic(), after, limit)));
    }

    /**
     * Closes open consumers (releasing their leases), commits what is queued, and releases the
     * file. Idempotent.
     */
    @Override
    public void close() {
        if (!lifecycle.close()) {
            return;
        }
        consumers.forEach(EmbeddedConsumer::close);
        retentionTimer.shutdownNow();
        awaitTermination(retentionTimer);
        writer.close();
        readers.close();
        lock.close();
    }

    @Override
    public String toString() {
        return "EmbeddedTransport[" + file + (lifecycle.isClosed() ? ", closed]" : "]");
    }

    /** Transactions committed so far; with {@link #publish} counts, shows how well commits are grouped. */
    long commits() {
        return writer.commits();
    }

    /**
     * One retention run, repeated at once while it had a full chunk to delete, so that a large
     * backlog is worked off in short transactions between other writes.
     */
    void runRetention() {
        try {
            int deleted;
            long total = 0;
            do {
                deleted = writer.call(SqliteWriter.Sync.NORMAL, retention::run);
                total += deleted;
            } while (deleted == Retention.CHUNK && !lifecycle.isClosed());
            if (total > 0) {
                LOG.info("retention deleted {} events from {}", total, file);
            }
        } catch (IllegalStateException e) {
            LOG.debug("retention stopped: the store is closing", e);
        } catch (RuntimeException e) {
            LOG.warn("retention failed on {}; it runs again at the next interval", file, e);
        }
    }

    private SqliteWriter writer() {
        requireOpen();
        return writer;
    }

    private Readers readers() {
        requireOpen();
        return readers;
    }

    private void requireOpen() {
        lifecycle.ensureOpen();
    }

    private static void requireTopic(String topic) {
        Objects.requireNonNull(topic, "topic");
        if (topic.isBlank()) {
            throw new IllegalArgumentException("topic must not be blank");
        }
    }

    private static void awaitTermination(ScheduledExecutorService executor) {
        try {
            if (!executor.awaitTermination(1, TimeUnit.MINUTES)) {
                LOG.warn("retention did not stop within a minute");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.warn("closing the write connection failed", e);
        }
    }
}
