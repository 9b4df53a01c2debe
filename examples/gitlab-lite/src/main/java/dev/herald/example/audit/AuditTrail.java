package dev.herald.example.audit;

import dev.herald.event.HeraldAttributes;
import dev.herald.store.EventStore;
import dev.herald.store.SubscribeOptions;
import io.cloudevents.CloudEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The audit domain: records every event and can tell, for one request, what caused what — the
 * {@code causationid} chain Herald adds to events published by handlers.
 */
public final class AuditTrail {

    private final EventStore events;
    private final List<CloudEvent> recorded = new CopyOnWriteArrayList<>();

    public AuditTrail(EventStore events) {
        this.events = events;
    }

    public void start() {
        events.subscribe("audit.record_everything", recorded::add, SubscribeOptions.defaults());
    }

    /** Every event recorded so far. */
    public List<CloudEvent> recorded() {
        return List.copyOf(recorded);
    }

    /** The events of one correlation id as an indented tree of causes and effects. */
    public List<String> causalTree(String correlationId) {
        Map<String, List<CloudEvent>> effects = new ConcurrentHashMap<>();
        List<CloudEvent> roots = new ArrayList<>();
        for (CloudEvent event : recorded) {
            boolean inChain = HeraldAttributes.correlationId(event).map(correlationId::equals).orElse(false);
            if (!inChain) {
                continue;
            }
            HeraldAttributes.causationId(event).ifPresentOrElse(
                    cause -> effects.computeIfAbsent(cause, k -> new CopyOnWriteArrayList<>()).add(event),
                    () -> roots.add(event));
        }
        List<String> lines = new ArrayList<>();
        roots.forEach(root -> describe(root, effects, 0, lines));
        return lines;
    }

    private static void describe(CloudEvent event, Map<String, List<CloudEvent>> effects, int depth,
                                 List<String> lines) {
        lines.add("  ".repeat(depth) + (depth == 0 ? "" : "└─ ") + event.getType() + "  " + event.getSubject());
        // Effects of one event are published concurrently by different domains: order them by type
        // (then id) so the same chain always prints the same way.
        effects.getOrDefault(event.getId(), List.of()).stream()
                .sorted(Comparator.comparing(CloudEvent::getType).thenComparing(CloudEvent::getId))
                .forEach(effect -> describe(effect, effects, depth + 1, lines));
    }
}
