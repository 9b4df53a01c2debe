package dev.herald.server.api;

import dev.herald.event.InvalidEventException;
import dev.herald.server.state.ServerDatabase;
import dev.herald.transport.EncodedEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for intake on the shared state (PostgreSQL, keys written with the events): the
 * transactions of requests arriving together — each one's deduplication keys, then the events whose keys
 * it won — run as one transaction with one commit, so concurrent publishers share a WAL flush and the
 * round trips of a commit instead of each paying for its own.
 *
 * <p>Each request keeps its own outcome:
 * <ul>
 *   <li>all the group's keys are inserted by one statement; a key another transaction holds makes that
 *       event a duplicate, as before; the events of the keys won are published with one call when the
 *       requests share their publisher (pass the same {@link Deduplicator.TransactionalPublish} instance);</li>
 *   <li>a request whose events are invalid (refused before any SQL is sent for them) gets its
 *       {@link InvalidEventException}, and its keys are deleted again inside the group's transaction, so
 *       it leaves nothing behind while the others commit;</li>
 *   <li>when the group's transaction fails in the database, it is rolled back and every request is run
 *       again alone, so that one request's failure fails no other.</li>
 * </ul>
 * Keys of concurrent requests never overlap: {@link Deduplicator#claim} lets only one request hold a key.
 */
final class KeyedGroupCommit implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KeyedGroupCommit.class);

    /** The most requests one transaction carries. */
    static final int MAX_GROUP = 64;
    /** Transactions committing at once: a few, so that a group forms while the previous ones commit. */
    static final int WRITERS = 4;

    /** Decides which keys a transaction wins: inserts those not live and returns them. */
    @FunctionalInterface
    interface KeyInsert {
        Set<Deduplicator.Key> insert(Connection connection, List<Deduplicator.Key> keys) throws SQLException;
    }

    /** One request: its fresh events and their keys, in the same order. */
    record Job(List<EncodedEvent> events, List<Deduplicator.Key> keys, Deduplicator.TransactionalPublish publish,
               CompletableFuture<Set<Deduplicator.Key>> won) {
    }

    private final ServerDatabase db;
    private final KeyInsert keyInsert;
    private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final List<Thread> writers = new ArrayList<>();
    private volatile boolean closed;

    KeyedGroupCommit(ServerDatabase db, KeyInsert keyInsert) {
        this.db = db;
        this.keyInsert = keyInsert;
        for (int i = 0; i < WRITERS; i++) {
            writers.add(Thread.ofVirtual().name("herald-intake-commit-" + i).start(this::writeLoop));
        }
    }

    /**
     * Stores a request's events with their keys in the next group transaction and waits for its commit.
     *
     * @return the keys this request won (their events were stored; the others are duplicates)
     * @throws InvalidEventException when the request's events are invalid (nothing of it was stored)
     */
    Set<Deduplicator.Key> publish(List<EncodedEvent> events, List<Deduplicator.Key> keys,
                                  Deduplicator.TransactionalPublish publish) throws InterruptedException {
        if (closed) {
            throw new IllegalStateException("the server is stopping");
        }
        Job job = new Job(events, keys, publish, new CompletableFuture<>());
        queue.add(job);
        try {
            return job.won().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private void writeLoop() {
        List<Job> group = new ArrayList<>(MAX_GROUP);
        while (!closed || !queue.isEmpty()) {
            try {
                Job first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
                queue.drainTo(group, MAX_GROUP - 1);
                commit(group);
            } catch (InterruptedException e) {
                closed = true;
            } catch (RuntimeException e) {
                group.forEach(job -> job.won().completeExceptionally(e));
            } finally {
                group.clear();
            }
        }
    }

    /** One transaction for the group; on a database failure, each request again alone. */
    private void commit(List<Job> group) {
        if (group.size() > 1) {
            try {
                List<Outcome> outcomes = db.with(connection -> transaction(connection, group));
                outcomes.forEach(Outcome::complete);
                return;
            } catch (RuntimeException groupFailed) {
                // Rolled back: nothing of the group is stored. Find out whose request it was by running each alone.
                LOG.warn("a transaction of {} intake requests failed ({}); running each alone", group.size(),
                        groupFailed.toString());
            }
        }
        for (Job job : group) {
            try {
                db.with(connection -> transaction(connection, List.of(job))).forEach(Outcome::complete);
            } catch (RuntimeException e) {
                job.won().completeExceptionally(e);
            }
        }
    }

    /** The won keys of a job, or the exception that refused it; completed only after the commit. */
    private record Outcome(Job job, Set<Deduplicator.Key> won, RuntimeException refused) {
        void complete() {
            if (refused != null) {
                job.won().completeExceptionally(refused);
            } else {
                job.won().complete(won);
            }
        }
    }

    private List<Outcome> transaction(Connection connection, List<Job> group) throws SQLException {
        connection.setAutoCommit(false);
        try {
            List<Deduplicator.Key> allKeys = new ArrayList<>();
            group.forEach(job -> allKeys.addAll(job.keys()));
            Set<Deduplicator.Key> won = keyInsert.insert(connection, allKeys);
            List<List<EncodedEvent>> toStore = new ArrayList<>(group.size());
            List<Set<Deduplicator.Key>> mine = new ArrayList<>(group.size());
            for (Job job : group) {
                Set<Deduplicator.Key> keys = new HashSet<>();
                List<EncodedEvent> events = new ArrayList<>();
                for (int i = 0; i < job.keys().size(); i++) {
                    if (won.contains(job.keys().get(i))) {
                        keys.add(job.keys().get(i));
                        events.add(job.events().get(i));
                    }
                }
                toStore.add(events);
                mine.add(Collections.unmodifiableSet(keys));
            }
            if (publishTogether(connection, group, toStore)) {
                List<Outcome> outcomes = new ArrayList<>(group.size());
                for (int j = 0; j < group.size(); j++) {
                    outcomes.add(new Outcome(group.get(j), mine.get(j), null));
                }
                connection.commit();
                return outcomes;
            }
            List<Outcome> outcomes = new ArrayList<>(group.size());
            List<Deduplicator.Key> refusedKeys = new ArrayList<>();
            for (int j = 0; j < group.size(); j++) {
                Job job = group.get(j);
                try {
                    if (!toStore.get(j).isEmpty()) {
                        job.publish().publish(toStore.get(j), connection);
                    }
                    outcomes.add(new Outcome(job, mine.get(j), null));
                } catch (InvalidEventException e) {
                    // Refused by validation before any of its SQL: the transaction goes on without it.
                    refusedKeys.addAll(mine.get(j));
                    outcomes.add(new Outcome(job, Set.of(), e));
                }
            }
            deleteKeys(connection, refusedKeys);
            connection.commit();
            return outcomes;
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    /**
     * Publishes every job's events with one call when the jobs share their publisher (the usual case:
     * one intake), so the transport writes them in one statement rather than one per request.
     *
     * @return false when some event is invalid (nothing was written: validation precedes any SQL) or the
     *     publishers differ, so each job must be published on its own
     */
    private static boolean publishTogether(Connection connection, List<Job> group,
                                           List<List<EncodedEvent>> toStore) {
        Deduplicator.TransactionalPublish publish = group.getFirst().publish();
        if (group.size() < 2 || group.stream().anyMatch(job -> job.publish() != publish)) {
            return false;
        }
        List<EncodedEvent> all = new ArrayList<>();
        toStore.forEach(all::addAll);
        if (all.isEmpty()) {
            return true;
        }
        try {
            publish.publish(all, connection);
            return true;
        } catch (InvalidEventException e) {
            return false;
        }
    }

    private static void deleteKeys(Connection connection, List<Deduplicator.Key> keys) throws SQLException {
        if (keys.isEmpty()) {
            return;
        }
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM dedup_keys WHERE key = ?")) {
            for (Deduplicator.Key key : keys) {
                delete.setBytes(1, key.bytes());
                delete.addBatch();
            }
            delete.executeBatch();
        }
    }

    /** Commits what is queued, then stops the writers. */
    @Override
    public void close() {
        closed = true;
        for (Thread writer : writers) {
            try {
                writer.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        Job left;
        while ((left = queue.poll()) != null) {
            left.won().completeExceptionally(new IllegalStateException("the server is stopping"));
        }
    }
}
