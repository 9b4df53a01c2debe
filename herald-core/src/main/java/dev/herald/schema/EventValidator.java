package dev.herald.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.herald.event.EnvelopeRules;
import dev.herald.event.EventData;
import dev.herald.event.InvalidEventException;
import dev.herald.event.Violation;
import dev.herald.transport.EncodedEvent;
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
        encode(events);
    }

    /**
     * Checks a group, all or nothing, and encodes it for a transport: each event is serialised once,
     * and the bytes that measured its size are the bytes the transport stores.
     *
     * @return the events with their structured form and ordering key, in the given order
     * @throws InvalidEventException with every violation of every event, prefixed {@code [i].}
     *                               when the group has more than one event
     */
    public List<EncodedEvent> encode(List<CloudEvent> events) {
        return requireValidEncoded(EncodedEvent.all(events));
    }

    /**
     * Checks a group already encoded (read from its structured form, which is kept), all or nothing; its
     * size is measured on those bytes, the bytes the transport stores.
     *
     * @return {@code encoded}
     * @throws InvalidEventException with every violation of every event, prefixed {@code [i].}
     *                               when the group has more than one event
     */
    public List<EncodedEvent> requireValidEncoded(List<EncodedEvent> encoded) {
        List<Violation> all = new ArrayList<>();
        for (int i = 0; i < encoded.size(); i++) {
            EncodedEvent event = encoded.get(i);
            String prefix = encoded.size() == 1 ? "" : "[" + i + "].";
            for (Violation v : withSchema(event.event(), rules.check(event.event(), event.json().length))) {
                all.add(prefix.isEmpty() ? v : new Violation(prefix + v.where(), v.rule(), v.value()));
            }
        }
        if (!all.isEmpty()) {
            throw new InvalidEventException(all);
        }
        return encoded;
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
