package dev.herald.transport.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.herald.transport.Capability;
import dev.herald.transport.Consumer;
import dev.herald.transport.DeadLetter;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.LogPage;
import dev.herald.transport.LogQuery;
import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionSpec;
import dev.herald.transport.SubscriptionStats;
import dev.herald.transport.TopicSignals;
import dev.herald.transport.TransactionalTransport;
import dev.herald.transport.TransportException;
import dev.herald.transport.spi.Lifecycle;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
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
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A transport on PostgreSQL, with the transactional outbox: {@link #publish(String, List, Connection)}
 * writes events in the caller's own transaction, so a domain changes its rows and announces the
 * change atomically.
 *
 * <pre>{@code
 * try (PostgresTransport transport = PostgresTransport.open("jdbc:postgresql://db/app?user=app")) {
 *     EventStore store = EventStore.builder(transport, SchemaRegistry.builtinCatalog()).build();
 *     Transactions.inTransaction(appDataSource, connection -> {
 *         orders.markPaid(connection, orderId);        // the caller's own write
 *         store.publish(orderPaid, connection);          // delivered if and only if this commits
 *         return null;
 *     });
 * }
 * }</pre>
 *
 * <p><b>Tables.</b> Herald creates and migrates its tables in its own schema
 * ({@link PostgresOptions#schema()}, default {@code herald}) when a transport opens; see
 * {@code Schema} for the layout. Any number of processes may open transports on one schema at once:
 * they share topics, subscriptions and their work.
 *
 * <p><b>No event is ever skipped.</b> Sequence numbers are taken when a row is inserted, not when
 * its transaction commits, so a reader of "{@code seq} greater than my cursor" passes over a lower
 * sequence that commits after a higher one. Herald instead stores each event's writing transaction
 * id ({@code xid8}) and orders a topic by {@code (xid, seq)}; a subscription reads only below the
 * horizon {@code pg_snapshot_xmin(pg_current_snapshot())}, under which no transaction is open and
 * none can start, so its cursor never moves past an event that is still to commit. The price: an
 * event becomes deliverable once every transaction that began writing before it ended, so a
 * long-running transaction that holds a transaction id (anywhere in the cluster) holds delivery back
 * until it ends. Keep transactions short; {@code idle in transaction} sessions stall Herald.
 *
 * <p><b>Durability.</b> {@link #publish(String, List)} returns once its transaction committed with
 * the server's {@code synchronous_commit}; concurrent calls share that transaction and its commit (a
 * group commit, see {@code GroupCommit}), each call's events all or none. The outbox publish is
 * exactly as durable as the caller's commit. Leases and settlements commit without waiting for the WAL flush: a crash of the database
 * server may undo the last of them, which only means redelivery; a crash of a Herald process loses
 * nothing.
 *
 * <p><b>Delivery.</b> Each subscription has a cursor into its topic and a table of deliveries pulled
 * from the log when its consumers poll. A delivery handed to a consumer is leased to it until it is
 * settled, its consumer closes, its process dies (every transport holds a session advisory lock while
 * it lives; the leases of a process whose lock is gone are released within
 * {@link PostgresOptions#reapInterval()} by any other), or {@link PostgresOptions#ackDeadline()}
 * passes. Polls of one subscription lock its row, so competing consumers in any number of processes
 * never lease the same delivery. An ordered subscription hands out only the oldest unsettled delivery
 * of each ordering key. Delivery and nack delays are visibility times in the table.
 *
 * <p><b>Native filtering</b> ({@link Capability#NATIVE_FILTERING}). A subscription's
 * {@linkplain SubscriptionSpec#filter() native filter} is stored beside it ({@code native_filter}, a JSON
 * tree, see {@code StoredFilter}) and read under the row lock on every poll, so an update applies from
 * the next pull on, in every process. The pull compiles it to a SQL predicate with bound values
 * ({@code SqlFilter}): {@code type}, {@code subject}, {@code source} and {@code project} compare the
 * columns copied out at insert ({@code =}, {@code starts_with}), other attributes the stored JSON. Rows it
 * rejects become no delivery, yet the cursor moves past them like past any other row, so they are read
 * once. What SQL cannot decide exactly (an attribute such as {@code time}, whose stored text is not its
 * canonical form) counts as accepted: the dispatcher applies the whole filter to every delivery, so the
 * predicate may let more through, never less. The backlog in {@link #stats} counts only events the
 * filter accepts.
 *
 * <p><b>Wake-ups.</b> Waiting consumers sleep until {@code LISTEN/NOTIFY} says their topic may have
 * something, with a slow fallback poll ({@link PostgresOptions#fallbackPollInterval()}). The
 * notifications are sent after commits, never inside a publishing transaction: see
 * {@code Notifier} for why. An outbox commit is noticed the moment it happens: the publishing
 * transaction holds an advisory lock named after its id, which a thread of the transport waits for
 * (see {@code CommitWatch}; transactions that stay open are polled instead).
 *
 * <p><b>Query</b> ({@link Capability#QUERY}). Each event's type, project, subject, source and time
 * are copied into columns at insert; {@link #query} turns the filter into SQL over them (indexes by
 * type, by project and by event time, the first two ending in the log order so an exact type or
 * project pages straight off the index) and pages by {@code (xid, seq)} cursors below the same
 * horizon as subscriptions, so paging and polling neither repeat nor skip.
 *
 * <p><b>Retention.</b> Events older than {@link PostgresOptions#retentionMaxAge()} are deleted
 * periodically, except events a subscription has not finished with.
 */
public final class PostgresTransport implements TransactionalTransport {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresTransport.class);
    private static final Set<Capability> CAPABILITIES = Set.copyOf(EnumSet.of(Capability.DURABLE,
            Capability.ORDERING, Capability.REPLAY, Capability.CONSUMER_GROUPS, Capability.ATOMIC_BATCH,
            Capability.TRANSACTIONS, Capability.NATIVE_DELAY, Capability.NATIVE_FILTERING, Capability.QUERY));

    /** Acks in one statement at most; more wait for the next. */
    private static final int ACK_BATCH = 1_000;
    /** Ack statements in flight at once, each on a pooled connection. */
    private static final int ACK_FLUSHERS = 2;

    /** Publish calls in one group commit at most; more wait for the next. */
    private static final int PUBLISH_BATCH = 256;

    private final Db db;
    private final HikariDataSource ownPool;
    /** Concurrent publishes, committed together: per call its failure or null. */
    private final GroupCommit<EventLog.Append, TransportException> appends;
    private final PostgresOptions options;
    private final int lockKey;
    private final int memberId;
    private final EventLog log;
    private final LogReader reader;
    private final SubscriptionStore subscriptions;
    private final DeliveryQueue queue;
    private final DeadLetterStore deadLetters;
    private final Retention retention;
    private final TopicSignals<Integer> signals;
    private final Notifier notifier;
    private final Listener listener;
    private final CommitWatch commitWatch;
    private final ScheduledExecutorService maintenance;
    private final Set<PostgresConsumer> consumers = ConcurrentHashMap.newKeySet();
    private final AtomicLong consumerIds = new AtomicLong();
    private final PostgresConsumer.Context consumerContext;
    private final Lifecycle lifecycle;

    private PostgresTransport(Db db, HikariDataSource ownPool, PostgresOptions options, int lockKey, int memberId,
                              TopicSignals<Integer> signals, Notifier notifier, Listener listener,
                              CommitWatch commitWatch) {
        this.db = db;
        this.ownPool = ownPool;
        this.options = options;
        this.lifecycle = new Lifecycle("the PostgreSQL transport on schema " + options.schema());
        this.lockKey = lockKey;
        this.memberId = memberId;
        this.signals = signals;
        this.notifier = notifier;
        this.listener = listener;
        this.commitWatch = commitWatch;
        this.log = new EventLog(db, watchKey(lockKey));
        this.reader = new LogReader(db);
        this.subscriptions = new SubscriptionStore(db, log);
        this.queue = new DeliveryQueue(db, options);
        this.deadLetters = new DeadLetterStore(db);
        this.retention = new Retention(db, options);
        this.appends = new GroupCommit<>(PUBLISH_BATCH, Math.min(4, Math.max(1, options.poolSize() / 4)),
                this::appendAll);
        GroupCommit<DeliveryQueue.Ack, Boolean> acks = new GroupCommit<>(ACK_BATCH, ACK_FLUSHERS,
                batch -> db.autoCommit("acknowledging " + batch.size() + " deliveries",
                        connection -> queue.ack(connection, batch)));
        this.consumerContext = new PostgresConsumer.Context(db, queue, acks, signals, notifier, options,
                consumers::remove);
        this.maintenance = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "herald-postgres-maintenance");
            thread.setDaemon(true);
            return thread;
        });
        long reapMillis = Math.max(1, options.reapInterval().toMillis());
        maintenance.scheduleWithFixedDelay(this::reap, 0, reapMillis, TimeUnit.MILLISECONDS);
        long retentionMillis = Math.max(1, options.retentionInterval().toMillis());
        maintenance.scheduleWithFixedDelay(this::runRetention, retentionMillis, retentionMillis, TimeUnit.MILLISECONDS);
    }

    /** Opens a transport on the database at {@code jdbcUrl} with {@link PostgresOptions#defaults()}. */
    public static PostgresTransport open(String jdbcUrl) {
        return open(jdbcUrl, PostgresOptions.defaults());
    }

    /**
     * Opens a transport on the database at {@code jdbcUrl} (for example
     * {@code jdbc:postgresql://127.0.0.1:5432/app?user=herald}), with a connection pool of its own
     * ({@link PostgresOptions#poolSize()} plus the three connections it holds), creating or upgrading
     * Herald's schema.
     *
     * @throws TransportException when the database is unreachable, or its schema is from a newer Herald
     */
    public static PostgresTransport open(String jdbcUrl, PostgresOptions options) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(options, "options");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setPoolName("herald-postgres-" + options.schema());
        config.setMaximumPoolSize(options.poolSize() + 3);
        config.setMinimumIdle(Math.min(4, options.poolSize() + 3));
        config.setAutoCommit(true);
        // While the database is unreachable a publish fails after this wait (the server answers 503,
        // retry later) instead of holding the caller for Hikari's default 30 s.
        config.setConnectionTimeout(5_000);
        // Batched inserts become multi-row inserts: one round trip per few hundred events.
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        config.addDataSourceProperty("ApplicationName", "herald");
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new TransportException("cannot connect to " + redact(jdbcUrl) + ": " + e.getMessage(), e);
        }
        try {
            return open(pool, pool, options);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /**
     * Opens a transport on a {@link DataSource} the application manages (typically its own pool, so
     * that outbox publishes and Herald's work share it). The transport holds three of its connections
     * for its life, and borrows others briefly; closing the transport does not close the DataSource.
     * For batched publishes, set the pgjdbc property {@code reWriteBatchedInserts=true} on it.
     *
     * @throws TransportException when the database is unreachable, or its schema is from a newer Herald
     */
    public static PostgresTransport open(DataSource dataSource, PostgresOptions options) {
        Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(options, "options");
        return open(dataSource, null, options);
    }

    private static PostgresTransport open(DataSource dataSource, HikariDataSource ownPool, PostgresOptions options) {
        Db db = new Db(dataSource, options.schema());
        // Keys the schema's advisory locks: migration (key2 = 0) and membership (key2 = member id).
        int lockKey = ("herald:" + options.schema()).hashCode() & 0x7fffffff;
        Schema.migrate(db, lockKey);
        int memberId = register(db);
        TopicSignals<Integer> signals = new TopicSignals<>();
        String channel = "herald." + options.schema();
        Notifier notifier = new Notifier(dataSource, channel, signals);
        Listener listener = new Listener(dataSource, channel, signals, lockKey, memberId, notifier::pid,
                notifier::nudge);
        CommitWatch commitWatch = new CommitWatch(dataSource, watchKey(lockKey), options.commitWatchInterval(),
                notifier::committed);
        try {
            notifier.start();
            listener.start();
            commitWatch.start();
        } catch (SQLException | RuntimeException e) {
            commitWatch.close();
            listener.close();
            notifier.close();
            throw new TransportException("cannot open the PostgreSQL transport on schema " + options.schema()
                    + ": " + e.getMessage(), e);
        }
        return new PostgresTransport(db, ownPool, options, lockKey, memberId, signals, notifier, listener,
                commitWatch);
    }

    /**
     * The first key of the outbox transactions' advisory locks ({@link CommitWatch}): not the
     * schema's key, whose second keys are member ids and 0.
     */
    private static int watchKey(int lockKey) {
        return lockKey ^ 0x5a5a5a5a;
    }

    private static int register(Db db) {
        return db.durable("registering a member", connection -> {
            try (PreparedStatement insert = connection.prepareStatement(db.sql(
                    "INSERT INTO ${s}.members (client) VALUES (?) RETURNING id"))) {
                insert.setString(1, ManagementFactory.getRuntimeMXBean().getName());
                try (ResultSet rs = insert.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
    }

    @Override
    public String name() {
        return "postgres";
    }

    @Override
    public Set<Capability> capabilities() {
        return CAPABILITIES;
    }

    /** The options this transport was opened with. */
    public PostgresOptions options() {
        return options;
    }

    /** The DataSource the transport works with: for an outbox, open the caller's transactions on it. */
    public DataSource dataSource() {
        return db.dataSource();
    }

    /** Appends the events in one transaction (all or none) and returns once it committed. */
    @Override
    public void publish(String topic, List<EncodedEvent> events) {
        requireTopic(topic);
        Objects.requireNonNull(events, "events");
        requireOpen();
        if (events.isEmpty()) {
            return;
        }
        // Prepared before a connection is taken: a bad argument fails the call with nothing written.
        List<EventLog.Row> rows = events.stream().map(EventLog.Row::of).toList();
        int topicId = log.topicId(topic);
        TransportException failure = appends.submit(new EventLog.Append(topicId, rows));
        if (failure != null) {
            throw failure;
        }
        notifier.committed(topicId);
    }

    /**
     * The group commit of {@link #publish(String, List)}: the calls waiting together go in one
     * transaction, as one multi-row insert, and one commit (one WAL flush) for all. Each call's events
     * stay together and in order, so each call is still all or none. Returns per call its failure, or
     * null. When the batch fails in a statement because of the data (a value the database refuses),
     * nothing of it was written: each call is tried again alone, so that only the faulty one fails.
     */
    private List<TransportException> appendAll(List<EventLog.Append> batch) {
        try {
            db.durable("publishing " + batch.size() + " calls", connection -> {
                log.append(connection, batch);
                return null;
            });
            return Collections.nCopies(batch.size(), null);
        } catch (TransportException e) {
            if (batch.size() == 1 || !refusedData(e)) {
                return Collections.nCopies(batch.size(), e);
            }
        }
        List<TransportException> failures = new ArrayList<>(batch.size());
        for (EventLog.Append alone : batch) {
            failures.add(appendAll(List.of(alone)).getFirst());
        }
        return failures;
    }

    /**
     * Whether a publish failed because the database refused a value (SQLSTATE classes 22 data
     * exception, 23 integrity constraint, 54 program limit): a failure of the statement, whose
     * transaction never committed, unlike a lost connection, after which a retry could duplicate.
     */
    private static boolean refusedData(TransportException e) {
        return e.getCause() instanceof SQLException sql && sql.getSQLState() != null
                && List.of("22", "23", "54").contains(sql.getSQLState().substring(0, 2));
    }

    /**
     * Writes the events with the caller's connection, inside its open transaction; the caller's
     * commit makes them visible to subscriptions, its rollback discards them. The connection must be
     * to this transport's database, with auto-commit off. Consumers are woken when it commits (the
     * transaction takes an advisory lock that this transport waits for, see {@code CommitWatch}),
     * or by their fallback poll when the publishing process dies right after committing.
     */
    @Override
    public void publish(String topic, List<EncodedEvent> events, Connection connection) {
        requireTopic(topic);
        Objects.requireNonNull(events, "events");
        Objects.requireNonNull(connection, "connection");
        requireOpen();
        if (events.isEmpty()) {
            return;
        }
        List<EventLog.Row> rows = events.stream().map(EventLog.Row::of).toList();
        int topicId = log.topicId(topic);
        try {
            if (connection.getAutoCommit()) {
                throw new IllegalArgumentException("the connection is in auto-commit mode: an outbox publish"
                        + " joins the caller's transaction, so turn auto-commit off and commit yourself");
            }
            commitWatch.watch(log.appendInTransaction(connection, topicId, rows), topicId);
        } catch (SQLException e) {
            throw new TransportException("publishing to " + topic + " in the caller's transaction failed: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void createSubscription(SubscriptionSpec spec) {
        Objects.requireNonNull(spec, "spec");
        requireOpen();
        int topicId = log.topicId(spec.topic());
        db.durable("creating subscription " + spec.name(), connection -> subscriptions.create(connection, spec, topicId));
        // An update may have shortened a delivery delay or switched ordering off.
        notifier.committed(topicId);
    }

    @Override
    public Optional<SubscriptionSpec> subscription(String name) {
        Objects.requireNonNull(name, "name");
        requireOpen();
        return db.durable("reading subscription " + name, connection -> subscriptions.find(connection, name))
                .map(SubscriptionStore.Stored::spec);
    }

    @Override
    public void deleteSubscription(String name) {
        Objects.requireNonNull(name, "name");
        requireOpen();
        db.durable("deleting subscription " + name, connection -> {
            subscriptions.delete(connection, name);
            return null;
        });
    }

    @Override
    public Consumer openConsumer(String subscription) {
        Objects.requireNonNull(subscription, "subscription");
        requireOpen();
        SubscriptionStore.Stored stored = db.durable("reading subscription " + subscription,
                connection -> subscriptions.find(connection, subscription))
                .orElseThrow(() -> SubscriptionStore.unknown(subscription));
        // Unique across processes: the member id in the high half, a local counter in the low half.
        long id = ((long) memberId << 32) | (consumerIds.incrementAndGet() & 0xffffffffL);
        PostgresConsumer consumer = new PostgresConsumer(id, stored, consumerContext);
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
        requireOpen();
        SubscriptionStore.Stored stored = db.durable("seeking subscription " + subscription,
                connection -> subscriptions.seek(connection, subscription, position));
        notifier.committed(stored.topicId());
    }

    @Override
    public SubscriptionStats stats(String subscription) {
        Objects.requireNonNull(subscription, "subscription");
        requireOpen();
        return db.durable("reading the stats of " + subscription, connection -> subscriptions.stats(connection, subscription));
    }

    @Override
    public List<DeadLetter> deadLetters(String subscription, String afterIdOrNull, int limit) {
        Objects.requireNonNull(subscription, "subscription");
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        requireOpen();
        return db.durable("listing dead letters of " + subscription, connection -> deadLetters.list(connection,
                subscriptions.require(connection, subscription), afterIdOrNull, limit));
    }

    @Override
    public int redrive(String subscription, List<String> deadLetterIds) {
        Objects.requireNonNull(subscription, "subscription");
        Objects.requireNonNull(deadLetterIds, "deadLetterIds");
        requireOpen();
        SubscriptionStore.Stored[] stored = new SubscriptionStore.Stored[1];
        int redriven = db.durable("redriving dead letters of " + subscription, connection -> {
            stored[0] = subscriptions.require(connection, subscription);
            return deadLetters.redrive(connection, stored[0], deadLetterIds);
        });
        if (redriven > 0) {
            notifier.committed(stored[0].topicId());
        }
        return redriven;
    }

    @Override
    public int discard(String subscription, List<String> deadLetterIds) {
        Objects.requireNonNull(subscription, "subscription");
        Objects.requireNonNull(deadLetterIds, "deadLetterIds");
        requireOpen();
        return db.durable("discarding dead letters of " + subscription, connection -> deadLetters.discard(connection,
                subscriptions.require(connection, subscription), deadLetterIds));
    }

    /** In one SQL statement over the indexed query columns: see {@code LogReader}. */
    @Override
    public LogPage query(LogQuery query) {
        Objects.requireNonNull(query, "query");
        requireOpen();
        return reader.page(query, name());
    }

    /**
     * Closes open consumers (releasing their leases), stops notifications and maintenance, gives up
     * this transport's membership, and closes its pool if it opened one. Idempotent.
     */
    @Override
    public void close() {
        if (!lifecycle.close()) {
            return;
        }
        consumers.forEach(PostgresConsumer::close);
        maintenance.shutdownNow();
        try {
            if (!maintenance.awaitTermination(1, TimeUnit.MINUTES)) {
                LOG.warn("maintenance did not stop within a minute");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        commitWatch.close();
        listener.close();
        notifier.close();
        try {
            db.durable("unregistering member " + memberId, connection -> {
                try (PreparedStatement delete = connection.prepareStatement(db.sql("DELETE FROM ${s}.members WHERE id = ?"))) {
                    delete.setInt(1, memberId);
                    return delete.executeUpdate();
                }
            });
        } catch (RuntimeException e) {
            LOG.debug("could not unregister member {}; the next reaper forgets it", memberId, e);
        }
        if (ownPool != null) {
            ownPool.close();
        }
    }

    @Override
    public String toString() {
        return "PostgresTransport[" + options.schema() + ", member " + memberId + (lifecycle.isClosed() ? ", closed]" : "]");
    }

    /**
     * Releases the leases of processes that died. Skipped while this transport's own membership lock
     * is not held (its listener is reconnecting): it could not tell its own leases from a dead
     * process's then.
     */
    void reap() {
        if (!listener.isMember() || lifecycle.isClosed()) {
            return;
        }
        try {
            Set<Integer> topics = db.relaxed("releasing the leases of processes that died",
                    connection -> queue.reap(connection, lockKey, memberId));
            if (!topics.isEmpty()) {
                LOG.info("released leases of processes that died, on {} topics", topics.size());
                topics.forEach(notifier::committed);
            }
        } catch (RuntimeException e) {
            if (!lifecycle.isClosed()) {
                LOG.warn("releasing the leases of processes that died failed; it runs again in {}",
                        options.reapInterval(), e);
            }
        }
    }

    /** One retention run: each topic in chunks, a chunk per transaction, until nothing is left to delete. */
    void runRetention() {
        try {
            long total = 0;
            for (int topicId : db.durable("listing topics", retention::topics)) {
                int deleted;
                do {
                    deleted = db.durable("retention", connection -> retention.run(connection, topicId));
                    total += deleted;
                } while (deleted == Retention.CHUNK && !lifecycle.isClosed());
            }
            if (total > 0) {
                LOG.info("retention deleted {} events from schema {}", total, options.schema());
            }
        } catch (RuntimeException e) {
            if (!lifecycle.isClosed()) {
                LOG.warn("retention failed on schema {}; it runs again in {}", options.schema(),
                        options.retentionInterval(), e);
            }
        }
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

    /** A JDBC URL without its password, for error messages. */
    private static String redact(String jdbcUrl) {
        return jdbcUrl.replaceAll("(?i)(password=)[^&]*", "$1***");
    }
}
