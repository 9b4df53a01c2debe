package dev.herald.server.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.event.EnvelopeMapping;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code POST /v1/events} (intake in the three CloudEvents HTTP modes) and {@code GET /v1/events}
 * (query of the stored stream, see {@link EventQuery}).
 *
 * <p>Intake: read the events ({@link HttpEvents}), check the token may publish each (type scope,
 * project restriction; 403 names every event it may not), drop those accepted before
 * ({@link Intake}: deduplicate, validate and store, all or nothing; 400 with every violation), and only
 * then answer 202:
 * {@code {"accepted": [ids], "duplicates": [ids]}} ({@code accepted} lists every event of the request,
 * {@code duplicates} those of them that were not stored again).
 */
public final class EventsApi implements ApiModule {

    private final Intake intake;
    private final HttpEvents reader;
    private final EventQuery query;

    /**
     * @param mappings the compatibility mappings applied to every event before it is read (see
     *                 {@link EnvelopeMapping}); empty to read events exactly as sent
     */
    public EventsApi(EventStore store, Intake intake, List<EnvelopeMapping> mappings, ServerConfig config) {
        this.intake = intake;
        this.reader = new HttpEvents(new JsonEvents(new EnvelopeRules(config.get(ServerConfig.MAX_EVENT_BYTES)))
                .withMappings(mappings), config);
        this.query = new EventQuery(store, config);
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
        boolean batch = parsed.mode() == HttpEvents.Mode.BATCH;
        authorize(principal, events, batch);
        Intake.Outcome outcome;
        try {
            outcome = intake.publishEncoded(parsed.encoded(), batch);
        } catch (InvalidEventException e) {
            throw ProblemRendering.invalidEvent(e.violations());
        }
        ObjectNode body = Json.object();
        ArrayNode accepted = body.putArray("accepted");
        events.forEach(e -> accepted.add(e.getId()));
        ArrayNode dups = body.putArray("duplicates");
        outcome.duplicates().forEach(e -> dups.add(e.getId()));
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

}
