package dev.herald.store;

import dev.herald.transport.DeadLetter;
import dev.herald.transport.Transport;
import java.util.ArrayList;
import java.util.List;

/** One subscription's dead letters: list, inspect, redrive, discard. */
public final class DeadLetters {

    private static final int PAGE = 500;

    private final Transport transport;
    private final String subscription;

    DeadLetters(Transport transport, String subscription) {
        this.transport = transport;
        this.subscription = subscription;
    }

    /** Up to {@code limit} dead letters after {@code afterId} (null for the first page), oldest first. */
    public List<DeadLetter> list(String afterId, int limit) {
        return transport.deadLetters(subscription, afterId, limit);
    }

    /** Every dead letter, oldest first. */
    public List<DeadLetter> all() {
        List<DeadLetter> all = new ArrayList<>();
        List<DeadLetter> page = list(null, PAGE);
        while (!page.isEmpty()) {
            all.addAll(page);
            page = page.size() < PAGE ? List.of() : list(page.getLast().id(), PAGE);
        }
        return all;
    }

    /** How many there are. */
    public long count() {
        return transport.stats(subscription).deadLetters();
    }

    /** Delivers these dead letters again, with a fresh attempt count; returns how many. */
    public int redrive(List<String> ids) {
        return transport.redrive(subscription, ids);
    }

    /** Delivers every dead letter again; returns how many. */
    public int redriveAll() {
        return redrive(all().stream().map(DeadLetter::id).toList());
    }

    /** Deletes these dead letters; returns how many. */
    public int discard(List<String> ids) {
        return transport.discard(subscription, ids);
    }
}
