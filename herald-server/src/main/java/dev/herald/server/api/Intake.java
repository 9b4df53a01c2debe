package dev.herald.server.api;

import dev.herald.event.InvalidEventException;
import dev.herald.event.Violation;
import dev.herald.store.EventStore;
import dev.herald.transport.EncodedEvent;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;

/**
 * The server's one way to store events that arrive over HTTP: drop those accepted before within the
 * deduplication window ({@link Deduplicator}, keyed by {@code source}+{@code id}), then validate and
 * store the rest through {@link EventStore#publish(List)} (all or nothing), returning once durable.
 * {@code POST /v1/events} and bridges mounted by server extensions (GitLab's webhooks) go through it,
 * so a redelivered webhook is a duplicate exactly like a retried publish.
 */
public final class Intake {

    /** What became of a request's events. */
    public record Outcome(List<CloudEvent> stored, List<CloudEvent> duplicates) {
    }

    private final EventStore store;
    private final Deduplicator dedup;
    private final Counter duplicates;
    /** One instance for every request, so that concurrent requests' events are written together. */
    private final Deduplicator.TransactionalPublish publishInTransaction;

    public Intake(EventStore store, Deduplicator dedup, MeterRegistry meters) {
        this.store = store;
        this.dedup = dedup;
        this.publishInTransaction = store::publishEncoded;
        this.duplicates = Counter.builder("herald.intake.duplicates")
                .description("Events accepted again within the deduplication window, not stored twice")
                .register(meters);
    }

    /**
     * Stores the events not accepted before.
     *
     * @param batch whether the events came as a batch: violations then name each event by its index in
     *              {@code events} ({@code [3].source}), also when duplicates were left out
     * @throws InvalidEventException with every violation; nothing is stored then
     * @throws InterruptedException when interrupted while waiting for a concurrent copy of an event
     */
    public Outcome publish(List<CloudEvent> events, boolean batch) throws InterruptedException {
        return publishEncoded(EncodedEvent.all(events), batch);
    }

    /**
     * Stores the events not accepted before, as {@link #publish}, with the structured form each already
     * has (read from the request): the store keeps those bytes rather than serialising the events again.
     */
    public Outcome publishEncoded(List<EncodedEvent> events, boolean batch) throws InterruptedException {
        try (Deduplicator.Claim claim = dedup.claim(events)) {
            if (!claim.fresh().isEmpty()) {
                try {
                    if (dedup.keysWithEvents()) {
                        claim.publishWithKeys(publishInTransaction);
                    } else {
                        store.publishEncoded(claim.fresh());
                    }
                } catch (InvalidEventException e) {
                    throw batch ? new InvalidEventException(indexed(e.violations(), events, claim.fresh())) : e;
                }
            }
            claim.accepted();
            duplicates.increment(claim.duplicates().size());
            return new Outcome(EncodedEvent.events(claim.fresh()), EncodedEvent.events(claim.duplicates()));
        }
    }

    /** Violations renamed after the event's index in the whole request. */
    private static List<Violation> indexed(List<Violation> violations, List<EncodedEvent> all,
                                           List<EncodedEvent> fresh) {
        List<Violation> renamed = new ArrayList<>(violations.size());
        for (Violation v : violations) {
            int freshIndex = 0;
            String rest = v.where();
            if (fresh.size() > 1 && rest.startsWith("[")) {
                int close = rest.indexOf("].");
                freshIndex = Integer.parseInt(rest.substring(1, close));
                rest = rest.substring(close + 2);
            }
            int index = indexOf(all, fresh.get(freshIndex));
            renamed.add(new Violation("[" + index + "]." + rest, v.rule(), v.value()));
        }
        return renamed;
    }

    private static int indexOf(List<EncodedEvent> events, EncodedEvent event) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i) == event) {
                return i;
            }
        }
        return -1;
    }
}
