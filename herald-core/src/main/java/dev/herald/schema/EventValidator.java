package dev.herald.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.herald.event.EnvelopeRules;
import dev.herald.event.EventData;
import dev.herald.event.InvalidEventException;
import dev.herald.event.Violation;
import io.cloudevents.CloudEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole check an event passes before Herald stores it: the envelope rules, then its data
 * against the schema its type registered (the version {@code dataschema} names, else the latest).
 */
public final class EventValidator {

    private final EnvelopeRules rules;
    private final SchemaRegistry registry;

    /**
     * @param rules    the envelope rules (size limit)
     * @param registry the event types and their schemas
     */
    public EventValidator(EnvelopeRules rules, SchemaRegistry registry) {
        this.rules = rules;
        this.registry = registry;
    }

    /** Every violation of one event; empty when it is valid. */
    public List<Violation> check(CloudEvent event) {
        return withSchema(event, rules.check(event));
    }

    /**
     * The schema half of the check, for an event whose envelope was already checked (the JSON reader
     * checks it while parsing).
     */
    public List<Violation> checkData(CloudEvent event) {
        return withSchema(event, new ArrayList<>());
    }

    /**
     * Checks a group, all or nothing.
     *
     * @throws InvalidEventException with every violation of every event, prefixed {@code [i].}
     *                               when the group has more than one event
     */
    public void requireValid(List<CloudEvent> events) {
        List<Violation> all = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            String prefix = events.size() == 1 ? "" : "[" + i + "].";
            for (Violation v : check(events.get(i))) {
                all.add(prefix.isEmpty() ? v : new Violation(prefix + v.where(), v.rule(), v.value()));
            }
        }
        if (!all.isEmpty()) {
            throw new InvalidEventException(all);
        }
    }

    private List<Violation> withSchema(CloudEvent event, List<Violation> envelope) {
        List<Violation> violations = new ArrayList<>(envelope);
        if (event.getType() == null || envelope.stream().anyMatch(v -> v.where().equals("data"))) {
            return violations;
        }
        JsonNode data = EventData.json(event).orElse(NullNode.getInstance());
        violations.addAll(registry.validate(event.getType(), event.getDataSchema(), data));
        return violations;
    }
}
