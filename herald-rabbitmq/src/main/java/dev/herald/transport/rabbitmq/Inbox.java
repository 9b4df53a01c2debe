package dev.herald.transport.rabbitmq;

import com.rabbitmq.client.AMQP;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What a consumer received and has not handed out yet, in arrival order. For an ordered subscription it is
 * also the per-key gate: a message is handed out only while no earlier message of its ordering key is out
 * (handed out and not settled, or waiting for its retry), so a failing key waits and every other key flows.
 * Messages without an ordering key are never held back.
 */
final class Inbox {

    /**
     * One received message.
     *
     * @param tag            its delivery tag on the consumer's channel
     * @param key            its routing key: the event's ordering key ({@code ""} for none)
     * @param attempt        the attempt it is delivered as
     * @param firstAttemptAt when it was first delivered, or null when this is the first delivery
     */
    record Received(long tag, AMQP.BasicProperties props, byte[] body, Instant at, String key, int attempt,
                    Instant firstAttemptAt) {

        /** This message again, as its next attempt. */
        Received retry(Instant firstAttempt) {
            return new Received(tag, props, body, Instant.now(), key, attempt + 1, firstAttempt);
        }
    }

    private final boolean ordered;
    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedList<Received> waiting = new LinkedList<>();
    /** Keys with a message out; only for ordered subscriptions. */
    private final Set<String> busy = new HashSet<>();

    Inbox(boolean ordered) {
        this.ordered = ordered;
    }

    void add(Received received) {
        lock.lock();
        try {
            waiting.addLast(received);
        } finally {
            lock.unlock();
        }
    }

    /** Puts back a message whose retry is due: first, since it is its key's oldest, and its key still busy. */
    void addRetry(Received received) {
        lock.lock();
        try {
            waiting.addFirst(received);
            if (gated(received)) {
                busy.remove(received.key());
            }
        } finally {
            lock.unlock();
        }
    }

    /** Takes up to {@code max} messages that may go out now, oldest first, marking their keys busy. */
    List<Received> take(int max) {
        lock.lock();
        try {
            List<Received> taken = new ArrayList<>();
            Set<String> passed = new HashSet<>();
            for (Iterator<Received> it = waiting.iterator(); it.hasNext() && taken.size() < max; ) {
                Received received = it.next();
                if (gated(received)) {
                    if (busy.contains(received.key()) || !passed.add(received.key())) {
                        passed.add(received.key());
                        continue;
                    }
                    busy.add(received.key());
                }
                it.remove();
                taken.add(received);
            }
            return taken;
        } finally {
            lock.unlock();
        }
    }

    /** The message of {@code key} that was out is settled: the key's next may go. */
    void settled(String key) {
        if (!ordered) {
            return;
        }
        lock.lock();
        try {
            busy.remove(key);
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    void clear() {
        lock.lock();
        try {
            waiting.clear();
            busy.clear();
        } finally {
            lock.unlock();
        }
    }

    private boolean gated(Received received) {
        return ordered && !received.key().isEmpty();
    }
}
