package dev.herald.server.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.event.EnvelopeRules;
import dev.herald.event.HeraldAttributes;
import dev.herald.event.InvalidEventException;
import dev.herald.event.JsonEvents;
import dev.herald.event.Violation;
import dev.herald.server.auth.Principal;
import dev.herald.server.config.ServerConfig;
import dev.herald.server.http.ApiModule;
import dev.herald.server.http.Json;
import dev.herald.server.http.ProblemRendering;
import dev.herald.server.http.Problem;
import dev.herald.store.EventStore;
import io.cloudevents.CloudEvent;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code POST /v1/events} (intake in the three CloudEvents HTTP modes) and {@code GET /v1/events}
 * (query of the stored stream, see {@link EventQuery}).
 *
 * <p>Intake: read the events ({@link HttpEvents}), check the token may publish each (type scope,
 * project restriction; 403 names every event it may not), drop those accepted before
 * ({@link Deduplicator}), validate and store the rest through {@link EventStore#publish(List)} (all or
 * nothing; 400 with every violation), and only then answer 202:
 * {@code {"accepted": [ids], "duplicates": [ids]}} ({@code accepted} lists every event of the request,
 * {@code duplicates} those of them that were not stored again).
 */
public final class EventsApi implements ApiModule {

    private final EventStore store;
    private final Deduplicator dedup;
    private final HttpEvents reader;
    private final EventQuery query;
    private final Counter duplicates;

    public EventsApi(EventStore store, Deduplicator dedup, ServerConfig config, MeterRegistry meters) {
        this.store = store;
        this.dedup = dedup;
        this.reader = new HttpEvents(new JsonEvents(new EnvelopeRules(config.get(ServerConfig.MAX_EVENT_BYTES))), config);
        this.query = new EventQuery(store, config);
        this.duplicates = Counter.builder("herald.intake.duplicates")
                .description("Events accepted again within the deduplication window, not stored twice")
                .register(meters);
    }

    @Override
    public void routes(RoutesConfig routes) {
        routes.post("/v1/events", this::publish);
        routes.get("/v1/events", query::handle);
    }

    private void publish(Context ctx) throws InterruptedException {
        Principal principal = Principal.of(ctx);
        HttpEvents.Parsed parsed = reader.read(ctx);
        List<CloudEvent> events = parsed.events();
        authorize(principal, events, parsed.mode() == HttpEvents.Mode.BATCH);
        List<String> duplicateIds;
        try (Deduplicator.Claim claim = dedup.claim(events)) {
            if (!claim.fresh().isEmpty()) {
                try {
                    store.publish(claim.fresh());
                } catch (InvalidEventException e) {
                    throw ProblemRendering.invalidEvent(indexed(e.violations(), events, claim.fresh(),
                            parsed.mode() == HttpEvents.Mode.BATCH));
                }
            }
            claim.accepted();
            duplicateIds = claim.duplicates().stream().map(CloudEvent::getId).toList();
        }
        duplicates.increment(duplicateIds.size());
        ObjectNode body = Json.object();
        ArrayNode accepted = body.putArray("accepted");
        events.forEach(e -> accepted.add(e.getId()));
        ArrayNode dups = body.putArray("duplicates");
        duplicateIds.forEach(dups::add);
        Json.respond(ctx, 202, body);
    }

    /** 403 naming every event the token may not publish, and why. */
    private static void authorize(Principal principal, List<CloudEvent> events, boolean batch) {
        List<Violation> denied = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            CloudEvent event = events.get(i);
            String prefix = batch ? "[" + i + "]." : "";
            if (!principal.canPublish(event.getType())) {
                denied.add(new Violation(prefix + "type", "token " + principal.tokenId()
                        + " has no publish scope covering this type", event.getType()));
            }
            Optional<String> restricted = principal.project();
            if (restricted.isPresent()) {
                Optional<String> project = HeraldAttributes.project(event);
                if (project.isEmpty()) {
                    denied.add(Violation.missing(prefix + "project", "token " + principal.tokenId()
                            + " is restricted to project " + restricted.get() + "; the event must carry project="
                            + restricted.get()));
                } else if (!principal.canSee(project.get())) {
                    denied.add(new Violation(prefix + "project", "token " + principal.tokenId()
                            + " is restricted to project " + restricted.get(), project.get()));
                }
            }
        }
        if (!denied.isEmpty()) {
            String detail = denied.size() == 1 ? denied.getFirst().toString()
                    : denied.size() + " events are outside the token's scopes; nothing was stored";
            throw new Problem(403, "Forbidden", detail, denied);
        }
    }

    /**
     * Violations name the event by its index in the request ({@code [3].source}), also when some
     * events were dropped as duplicates or only one event is left to validate.
     */
    private static List<Violation> indexed(List<Violation> violations, List<CloudEvent> all, List<CloudEvent> fresh,
                                           boolean batch) {
        if (!batch) {
            return violations;
        }
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

    private static int indexOf(List<CloudEvent> events, CloudEvent event) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i) == event) {
                return i;
            }
        }
        return -1;
    }
}
