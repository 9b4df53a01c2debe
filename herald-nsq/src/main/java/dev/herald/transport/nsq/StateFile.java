package dev.herald.transport.nsq;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.transport.TransportException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * What Herald keeps beside NSQ, because NSQ has no place for it: subscription definitions (a channel has no
 * attributes, so a delivery delay cannot live on nsqd) and dead letters (nsqd cannot list, inspect or remove single
 * messages of a channel). One JSON file, {@code nsq-state.json}, rewritten whole on every change: written to a
 * temporary file, forced to disk, then moved over the old one, so a crash leaves the old or the new state.
 */
final class StateFile {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final ReentrantLock lock = new ReentrantLock();
    private State state;

    /** A stored subscription; its delivery delay in nanoseconds. */
    record Subscription(String name, String topic, long deliveryDelayNanos) {
    }

    /**
     * A stored dead letter: {@code event} is the structured JSON exactly as published, times are ISO-8601 instants,
     * {@code publishedAtNanos} nsqd's timestamp of the message.
     */
    record Dead(String id, String subscription, String event, long publishedAtNanos, int attempts, String lastError,
                String firstAttemptAt, String deadAt) {
    }

    /** The file's content. */
    record State(Map<String, Subscription> subscriptions, Map<String, List<Dead>> deadLetters, long nextDeadLetterId) {
        State {
            subscriptions = new LinkedHashMap<>(subscriptions);
            deadLetters = new LinkedHashMap<>(deadLetters);
        }
    }

    StateFile(Path dir) {
        this.file = dir.resolve("nsq-state.json");
        try {
            Files.createDirectories(dir);
            state = Files.exists(file) ? JSON.readValue(file.toFile(), State.class) : new State(Map.of(), Map.of(), 1);
        } catch (IOException e) {
            throw new TransportException("cannot read the NSQ transport's state " + file + ": " + e.getMessage(), e);
        }
    }

    Optional<Subscription> subscription(String name) {
        return read(s -> Optional.ofNullable(s.subscriptions().get(name)));
    }

    void putSubscription(Subscription subscription) {
        change(s -> s.subscriptions().put(subscription.name(), subscription));
    }

    void removeSubscription(String name) {
        change(s -> {
            s.subscriptions().remove(name);
            s.deadLetters().remove(name);
        });
    }

    /** Stores a dead letter (its id assigned here) and returns it once it is on disk. */
    Dead addDeadLetter(String subscription, String event, long publishedAtNanos, int attempts, String error,
                       Instant firstAttemptAt) {
        lock.lock();
        try {
            long id = state.nextDeadLetterId();
            Dead dead = new Dead(Long.toString(id), subscription, event, publishedAtNanos, attempts, error,
                    firstAttemptAt.toString(), Instant.now().toString());
            List<Dead> list = new ArrayList<>(state.deadLetters().getOrDefault(subscription, List.of()));
            list.add(dead);
            State next = new State(state.subscriptions(), state.deadLetters(), id + 1);
            next.deadLetters().put(subscription, List.copyOf(list));
            write(next);
            return dead;
        } finally {
            lock.unlock();
        }
    }

    List<Dead> deadLetters(String subscription) {
        return read(s -> s.deadLetters().getOrDefault(subscription, List.of()));
    }

    /** Removes the dead letters with these ids and returns those removed. */
    List<Dead> removeDeadLetters(String subscription, List<String> ids) {
        lock.lock();
        try {
            List<Dead> kept = new ArrayList<>();
            List<Dead> removed = new ArrayList<>();
            for (Dead dead : state.deadLetters().getOrDefault(subscription, List.of())) {
                (ids.contains(dead.id()) ? removed : kept).add(dead);
            }
            if (!removed.isEmpty()) {
                State next = new State(state.subscriptions(), state.deadLetters(), state.nextDeadLetterId());
                next.deadLetters().put(subscription, List.copyOf(kept));
                write(next);
            }
            return removed;
        } finally {
            lock.unlock();
        }
    }

    private <T> T read(Function<State, T> reader) {
        lock.lock();
        try {
            return reader.apply(state);
        } finally {
            lock.unlock();
        }
    }

    private void change(java.util.function.Consumer<State> change) {
        lock.lock();
        try {
            State next = new State(state.subscriptions(), state.deadLetters(), state.nextDeadLetterId());
            change.accept(next);
            write(next);
        } finally {
            lock.unlock();
        }
    }

    /** Replaces the file and then the state in memory: a failed write changes neither. */
    private void write(State next) {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.write(temp, JSON.writeValueAsBytes(next));
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            try {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            state = next;
        } catch (IOException e) {
            throw new TransportException("cannot write the NSQ transport's state " + file + ": " + e.getMessage(), e);
        }
    }
}
