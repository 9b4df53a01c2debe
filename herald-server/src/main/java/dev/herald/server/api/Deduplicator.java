package dev.herald.server.api;

import dev.herald.event.HeraldAttributes;
import dev.herald.server.state.ServerDatabase;
import dev.herald.transport.EncodedEvent;
import io.cloudevents.CloudEvent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers the {@code source}+{@code id} of accepted events for the deduplication window, so that a
 * producer that retries (after a timeout, a lost response, a crash) does not store an event twice.
 *
 * <p>How a request goes: it {@linkplain #claim claims} its events' keys. A key another request is
 * publishing right now is waited for (so two concurrent copies cannot both be stored); a key
 * accepted within the window makes its event a duplicate. The request publishes the rest and, once
 * they are durable, {@linkplain Claim#accepted() records} their keys: in memory at once, in the
 * server database by a background writer that commits every {@value #FLUSH_MILLIS} ms in one
 * transaction (a per-request fsync would cap intake). A crash can lose the newest keys, never an
 * event: at worst a retry after a crash stores a second copy, which at-least-once consumers
 * tolerate. Keys are stored as 16-byte hashes with their expiry; expired ones are deleted hourly.
 *
 * <p>When instances share the state (PostgreSQL), another instance must see a key as soon as the event
 * was answered 202, so keys are written before the request returns:
 * <ul>
 *   <li>on the PostgreSQL transport with its state in the same database, in the very transaction that
 *       stores the events ({@link Claim#publishWithKeys}): an insert that finds the key taken (another
 *       instance stored that event meanwhile; the unique key makes it wait for that commit) turns the
 *       event into a duplicate, so the same {@code source}+{@code id} posted to two instances at once is
 *       stored once; requests arriving together share that transaction and its commit
 *       ({@link KeyedGroupCommit});</li>
 *   <li>on any other transport, in one commit right after the events are durable: a copy posted to another
 *       instance after the first was answered is a duplicate; two copies posted to two instances at the
 *       same instant may both be stored (at-least-once consumers tolerate it).</li>
 * </ul>
 */
public final class Deduplicator implements AutoCloseable {

    static final int FLUSH_MILLIS = 50;
    private static final Logger LOG = LoggerFactory.getLogger(Deduplicator.class);
    private static final int LOOKUP_CHUNK = 200;
    private static final int DELETE_CHUNK = 5_000;

    /**
     * A 16-byte key: the first half of SHA-256 over the event's project and a zero byte (when it has
     * one), then source, a zero byte, and id. The project is part of it because source and id are
     * chosen by the publisher: without it, one project's event would make another project's event
     * with the same source and id a "duplicate" that is never stored. An event without a project keeps
     * the key it always had.
     */
    record Key(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key other && Arrays.equals(bytes, other.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        static Key of(CloudEvent event) {
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                Object project = event.getExtension(HeraldAttributes.PROJECT);
                if (project != null) {
                    sha.update(project.toString().getBytes(StandardCharsets.UTF_8));
                    sha.update((byte) 0);
                }
                sha.update(String.valueOf(event.getSource()).getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
                sha.update(event.getId().getBytes(StandardCharsets.UTF_8));
                return new Key(Arrays.copyOf(sha.digest(), 16));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JDK has SHA-256", e);
            }
        }
    }

    private record Pending(Key key, long expiresAt) {
    }

    /**
     * Stores the events with the caller's connection, in its open transaction (an outbox publish).
     */
    @FunctionalInterface
    public interface TransactionalPublish {
        void publish(List<EncodedEvent> events, Connection connection);
    }

    private final ServerDatabase db;
    private final boolean keysWithEvents;
    private final long windowMillis;
    private final Clock clock;
    private final ConcurrentHashMap<Key, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();
    /** Accepted keys not yet written to the database, with their expiry. */
    private final ConcurrentHashMap<Key, Long> unwritten = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    /** Transactions of events with their keys, grouped; null unless {@link #keysWithEvents}. */
    private final KeyedGroupCommit groupCommit;
    private volatile boolean closed;
    private long lastCleanup;

    /**
     * @param window how long keys are remembered; zero turns deduplication off
     */
    public Deduplicator(ServerDatabase db, Duration window) {
        this(db, window, false, Clock.systemUTC());
    }

    /**
     * @param window         how long keys are remembered; zero turns deduplication off
     * @param keysWithEvents whether the state's database is the transport's too, so that keys can be written
     *                       in the events' transaction ({@link Claim#publishWithKeys})
     */
    public Deduplicator(ServerDatabase db, Duration window, boolean keysWithEvents) {
        this(db, window, keysWithEvents, Clock.systemUTC());
    }

    Deduplicator(ServerDatabase db, Duration window, Clock clock) {
        this(db, window, false, clock);
    }

    private Deduplicator(ServerDatabase db, Duration window, boolean keysWithEvents, Clock clock) {
        this.db = db;
        this.keysWithEvents = keysWithEvents && db.shared();
        this.windowMillis = window.toMillis();
        this.clock = clock;
        this.lastCleanup = clock.millis();
        this.writer = Thread.ofPlatform().daemon().name("herald-dedup-writer").start(this::writeLoop);
        this.groupCommit = this.keysWithEvents ? new KeyedGroupCommit(db, this::insertLive) : null;
    }

    /** The keys of {@code keys} not live in the table, inserted now with the window's expiry. */
    private Set<Key> insertLive(Connection connection, List<Key> keys) throws SQLException {
        long now = clock.millis();
        return insertUnlessLive(connection, keys, now, now + windowMillis);
    }

    /** Whether deduplication is on. */
    public boolean enabled() {
        return windowMillis > 0;
    }

    /** Whether {@link Claim#publishWithKeys} must be used: keys are written in the events' transaction. */
    public boolean keysWithEvents() {
        return keysWithEvents && enabled();
    }

    /**
     * Claims the keys of a request's events, waiting while another request publishes one of them.
     * Close the claim when done (try-with-resources), after {@link Claim#accepted()} on success.
     */
    public Claim claim(List<EncodedEvent> events) throws InterruptedException {
        Map<Key, EncodedEvent> byKey = new LinkedHashMap<>();
        List<EncodedEvent> repeatedInRequest = new ArrayList<>();
        for (EncodedEvent event : events) {
            if (byKey.putIfAbsent(Key.of(event.event()), event) != null) {
                repeatedInRequest.add(event);
            }
        }
        if (!enabled()) {
            return new Claim(List.copyOf(byKey.values()), repeatedInRequest, List.of(), null);
        }
        CompletableFuture<Void> mine = new CompletableFuture<>();
        List<Key> held = acquire(byKey.keySet(), mine);
        Set<Key> seen;
        try {
            // With keys written in the events' transaction, its insert finds the live keys: a lookup first
            // would cost every request a second round trip (and pool connection) for the same answer.
            seen = keysWithEvents() ? Set.of() : seen(held);
        } catch (RuntimeException e) {
            new Release(held, mine).release();
            throw e;
        }
        List<EncodedEvent> fresh = new ArrayList<>();
        List<EncodedEvent> duplicates = new ArrayList<>(repeatedInRequest);
        List<Key> freshKeys = new ArrayList<>();
        for (Key key : held) {
            if (seen.contains(key)) {
                duplicates.add(byKey.get(key));
            } else {
                fresh.add(byKey.get(key));
                freshKeys.add(key);
            }
        }
        return new Claim(fresh, duplicates, freshKeys, new Release(held, mine));
    }

    /**
     * Takes every key or none: when another request holds one, releases what it took, waits for
     * that request to finish, and tries again. Never holds while waiting, so requests cannot deadlock.
     */
    private List<Key> acquire(Set<Key> keys, CompletableFuture<Void> mine) throws InterruptedException {
        while (true) {
            List<Key> taken = new ArrayList<>(keys.size());
            CompletableFuture<Void> blocker = null;
            for (Key key : keys) {
                CompletableFuture<Void> other = inFlight.putIfAbsent(key, mine);
                if (other != null) {
                    blocker = other;
                    break;
                }
                taken.add(key);
            }
            if (blocker == null) {
                return taken;
            }
            taken.forEach(key -> inFlight.remove(key, mine));
            try {
                blocker.get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // The other request failed or is stuck; try again (a stuck one keeps its keys until it ends).
            }
        }
    }

    /** Which keys were accepted within the window: unwritten ones from memory, the rest from the database. */
    private Set<Key> seen(List<Key> keys) {
        long now = clock.millis();
        Set<Key> seen = new HashSet<>();
        List<Key> lookup = new ArrayList<>();
        for (Key key : keys) {
            Long expiresAt = unwritten.get(key);
            if (expiresAt != null && expiresAt > now) {
                seen.add(key);
            } else {
                lookup.add(key);
            }
        }
        for (int from = 0; from < lookup.size(); from += LOOKUP_CHUNK) {
            List<Key> chunk = lookup.subList(from, Math.min(lookup.size(), from + LOOKUP_CHUNK));
            db.with(connection -> {
                String marks = String.join(",", java.util.Collections.nCopies(chunk.size(), "?"));
                try (PreparedStatement select = connection.prepareStatement(
                        "SELECT key FROM dedup_keys WHERE expires_at > ? AND key IN (" + marks + ")")) {
                    select.setLong(1, now);
                    for (int i = 0; i < chunk.size(); i++) {
                        select.setBytes(i + 2, chunk.get(i).bytes());
                    }
                    try (ResultSet rs = select.executeQuery()) {
                        while (rs.next()) {
                            seen.add(new Key(rs.getBytes(1)));
                        }
                    }
                }
                return null;
            });
        }
        return seen;
    }

    private final class Release {
        private final List<Key> held;
        private final CompletableFuture<Void> future;

        Release(List<Key> held, CompletableFuture<Void> future) {
            this.held = held;
            this.future = future;
        }

        void release() {
            held.forEach(key -> inFlight.remove(key, future));
            future.complete(null);
        }
    }

    /** The outcome of {@link #claim}: which events to publish, which are duplicates. */
    public final class Claim implements AutoCloseable {

        private List<EncodedEvent> fresh;
        private final List<EncodedEvent> duplicates;
        private List<Key> freshKeys;
        private final Release release;
        private boolean written;

        private Claim(List<EncodedEvent> fresh, List<EncodedEvent> duplicates, List<Key> freshKeys, Release release) {
            this.fresh = fresh;
            this.duplicates = duplicates;
            this.freshKeys = freshKeys;
            this.release = release;
        }

        /** The events to publish, in request order. */
        public List<EncodedEvent> fresh() {
            return fresh;
        }

        /** The events accepted before (or repeated within the request): not to be stored again. */
        public List<EncodedEvent> duplicates() {
            return duplicates;
        }

        /**
         * Writes the fresh events' keys and publishes the events in one transaction of the state's
         * database (which is the transport's), shared with the requests arriving meanwhile
         * ({@link KeyedGroupCommit}: one commit for all). An event whose key another instance wrote
         * meanwhile becomes a duplicate and is not published. Call instead of publishing when
         * {@link #keysWithEvents()}; then {@link #accepted()} as usual.
         *
         * @throws InvalidEventException when the events are invalid; nothing of this request is stored
         */
        public void publishWithKeys(TransactionalPublish publish) throws InterruptedException {
            Set<Key> inserted = groupCommit.publish(fresh, freshKeys, publish);
            List<EncodedEvent> stored = new ArrayList<>();
            List<Key> storedKeys = new ArrayList<>();
            for (int i = 0; i < freshKeys.size(); i++) {
                if (inserted.contains(freshKeys.get(i))) {
                    stored.add(fresh.get(i));
                    storedKeys.add(freshKeys.get(i));
                } else {
                    duplicates.add(fresh.get(i));
                }
            }
            fresh = stored;
            freshKeys = storedKeys;
            written = true;
        }

        /** Records the fresh events' keys: call once they are durable. */
        public void accepted() {
            if (release == null) {
                return;
            }
            long expiresAt = clock.millis() + windowMillis;
            if (!written && db.shared()) {
                // Other instances must see the keys before the request is answered.
                write(freshKeys.stream().map(key -> new Pending(key, expiresAt)).toList());
                written = true;
            }
            for (Key key : freshKeys) {
                if (!written) {
                    unwritten.put(key, expiresAt);
                    queue.add(new Pending(key, expiresAt));
                }
            }
        }

        /** Lets waiting requests go ahead. */
        @Override
        public void close() {
            if (release == null) {
                return;
            }
            release.release();
        }
    }

    /**
     * Inserts the keys not live in the table (absent, or expired) and returns those; waits for the
     * commit of another transaction inserting the same key, then counts it as live.
     */
    private static Set<Key> insertUnlessLive(Connection connection, List<Key> keys, long now, long expiresAt)
            throws SQLException {
        Set<Key> inserted = new HashSet<>();
        for (int from = 0; from < keys.size(); from += LOOKUP_CHUNK) {
            List<Key> chunk = keys.subList(from, Math.min(keys.size(), from + LOOKUP_CHUNK));
            String values = String.join(", ", java.util.Collections.nCopies(chunk.size(), "(?, ?)"));
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO dedup_keys (key, expires_at) "
                    + "VALUES " + values + " ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at "
                    + "WHERE dedup_keys.expires_at <= ? RETURNING key")) {
                int index = 1;
                for (Key key : chunk) {
                    insert.setBytes(index++, key.bytes());
                    insert.setLong(index++, expiresAt);
                }
                insert.setLong(index, now);
                try (ResultSet rs = insert.executeQuery()) {
                    while (rs.next()) {
                        inserted.add(new Key(rs.getBytes(1)));
                    }
                }
            }
        }
        return inserted;
    }

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>();
        boolean stopping = false;
        while (true) {
            try {
                Pending first = queue.poll(FLUSH_MILLIS, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    Thread.sleep(FLUSH_MILLIS); // let the group grow: one commit for everything meanwhile
                }
            } catch (InterruptedException e) {
                stopping = true;
            }
            queue.drainTo(batch);
            writeQuietly(batch);
            if (stopping || closed) {
                queue.drainTo(batch);
                writeQuietly(batch);
                return;
            }
            try {
                cleanupIfDue();
            } catch (RuntimeException e) {
                LOG.warn("deleting expired deduplication keys failed; trying again in an hour", e);
            }
        }
    }

    private void writeQuietly(List<Pending> batch) {
        try {
            write(batch);
        } catch (RuntimeException e) {
            LOG.warn("writing {} deduplication keys failed; they stay in memory only", batch.size(), e);
        } finally {
            batch.clear();
        }
    }

    private void write(List<Pending> batch) {
        if (batch.isEmpty()) {
            return;
        }
        db.with(connection -> {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try (PreparedStatement upsert = connection.prepareStatement(
                    "INSERT INTO dedup_keys (key, expires_at) VALUES (?, ?) "
                            + "ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at")) {
                for (Pending pending : batch) {
                    upsert.setBytes(1, pending.key().bytes());
                    upsert.setLong(2, pending.expiresAt());
                    upsert.addBatch();
                }
                upsert.executeBatch();
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
            return null;
        });
        for (Pending pending : batch) {
            unwritten.remove(pending.key(), pending.expiresAt());
        }
    }

    private void cleanupIfDue() {
        long now = clock.millis();
        if (now - lastCleanup < TimeUnit.HOURS.toMillis(1)) {
            return;
        }
        lastCleanup = now;
        deleteExpired(now);
    }

    /** Deletes expired keys in short transactions; returns how many. */
    int deleteExpired(long now) {
        int total = 0;
        int deleted;
        do {
            deleted = db.with(connection -> deleteChunk(connection, now));
            total += deleted;
        } while (deleted == DELETE_CHUNK);
        if (total > 0) {
            LOG.info("deleted {} expired deduplication keys", total);
        }
        return total;
    }

    private static int deleteChunk(Connection connection, long now) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM dedup_keys WHERE key IN "
                + "(SELECT key FROM dedup_keys WHERE expires_at <= ? LIMIT " + DELETE_CHUNK + ")")) {
            delete.setLong(1, now);
            return delete.executeUpdate();
        }
    }

    /** Keys stored in the database (for tests and metrics). */
    long storedKeys() {
        return db.with(connection -> {
            try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM dedup_keys")) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        });
    }

    /** Writes the keys still queued, then stops the writer. */
    @Override
    public void close() {
        if (groupCommit != null) {
            groupCommit.close();
        }
        closed = true;
        writer.interrupt();
        try {
            writer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
