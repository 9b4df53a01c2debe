package dev.herald.server.subscriptions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.event.JsonEvents;
import dev.herald.event.Violation;
import dev.herald.server.auth.Principal;
import dev.herald.server.config.ServerConfig;
import dev.herald.server.http.ApiModule;
import dev.herald.server.http.Problem;
import dev.herald.server.state.ServerDatabase;
import dev.herald.server.webhook.WebhookSecret;
import dev.herald.store.DeadLetters;
import dev.herald.store.EventStore;
import dev.herald.transport.DeadLetter;
import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionStats;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The subscriptions API ({@code /v1/subscriptions}): resources shaped after the CloudEvents
 * Subscriptions API with Herald's delivery policy, webhook delivery, streaming pull over SSE, and
 * dead letters. Mount it with {@link #routes}; close it before the event store.
 *
 * <p>Authorization: a token sees, changes and reads only subscriptions whose every type it may
 * subscribe to (admins: all); a subscription without types (every event) needs the admin scope. A
 * project-restricted token sees only the subscriptions it (or another token of its project) made,
 * and they only ever receive events of its project. Subscriptions a token may not see answer 404.
 */
public final class SubscriptionsModule implements ApiModule, AutoCloseable {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String JSON = "application/json";
    private static final int DEFAULT_PAGE = 100;
    private static final int MAX_PAGE = 500;
    private static final int MAX_IDS = 1000;

    private final SubscriptionManager manager;
    private final SubscriptionSettings settings;

    /**
     * Opens the module: creates its table if needed, then restores and restarts every stored subscription.
     *
     * @param store    the event store whose transport keeps positions, backlogs and dead letters
     * @param db       the server database holding the subscription resources
     * @param settings webhook, SSRF and streaming-pull settings
     */
    public SubscriptionsModule(EventStore store, ServerDatabase db, SubscriptionSettings settings) {
        this.settings = settings;
        this.manager = new SubscriptionManager(store, db, settings);
    }

    /** The module with {@link SubscriptionSettings#defaults()}. */
    public SubscriptionsModule(EventStore store, ServerDatabase db) {
        this(store, db, SubscriptionSettings.defaults());
    }

    /** The module as {@code HeraldServer} mounts it, with the configuration's webhook and pull settings. */
    public SubscriptionsModule(EventStore store, ServerDatabase db, ServerConfig config) {
        this(store, db, SubscriptionSettings.from(config));
    }

    @Override
    public void routes(RoutesConfig routes) {
        String base = "/v1/subscriptions";
        String one = base + "/{id}";
        routes.post(base, this::create);
        routes.get(base, this::list);
        routes.get(one, ctx -> respond(ctx, 200, render(visible(ctx), null)));
        routes.put(one, this::replace);
        routes.patch(one, this::patch);
        routes.delete(one, this::delete);
        routes.post(one + "/pause", ctx -> {
            SubscriptionManager.Managed managed = visible(ctx);
            managed.pause("paused by token " + Principal.of(ctx).tokenId());
            respond(ctx, 200, render(managed, null));
        });
        routes.post(one + "/resume", ctx -> {
            SubscriptionManager.Managed managed = visible(ctx);
            managed.resume();
            respond(ctx, 200, render(managed, null));
        });
        routes.post(one + "/enable", ctx -> {
            SubscriptionManager.Managed managed = visible(ctx);
            managed.enable();
            respond(ctx, 200, render(managed, null));
        });
        routes.post(one + "/rotate-secret", this::rotateSecret);
        routes.post(one + "/seek", this::seek);
        routes.get(one + "/stream", this::stream);
        routes.post(one + "/acks", ctx -> settle(ctx, true));
        routes.post(one + "/nacks", ctx -> settle(ctx, false));
        routes.get(one + "/dead-letters", this::listDeadLetters);
        routes.post(one + "/dead-letters/redrive", ctx -> deadLetterAction(ctx, true));
        routes.post(one + "/dead-letters/discard", ctx -> deadLetterAction(ctx, false));
        routes.get(one + "/dead-letters/{dead}", ctx -> {
            SubscriptionManager.Managed managed = visible(ctx);
            respond(ctx, 200, renderDeadLetter(findDeadLetter(managed, ctx.pathParam("dead")), true));
        });
        routes.post(one + "/dead-letters/{dead}/redrive", ctx -> {
            SubscriptionManager.Managed managed = visible(ctx);
            DeadLetter letter = findDeadLetter(managed, ctx.pathParam("dead"));
            int count = managed.deadLetters().redrive(List.of(letter.id()));
            respond(ctx, 200, JsonNodeFactory.instance.objectNode().put("redriven", count));
        });
        routes.delete(one + "/dead-letters/{dead}", ctx -> {
            SubscriptionManager.Managed managed = visible(ctx);
            DeadLetter letter = findDeadLetter(managed, ctx.pathParam("dead"));
            managed.deadLetters().discard(List.of(letter.id()));
            ctx.status(204);
        });
    }

    /** Stops deliveries and streams (in-flight events are released for redelivery). Call before closing the store. */
    @Override
    public void close() {
        manager.close();
    }

    // ---------------------------------------------------------------- resources

    private void create(Context ctx) {
        Principal principal = Principal.of(ctx);
        SubscriptionRequests.Parsed parsed = manager.requests().read(body(ctx), SubscriptionRequests.Mode.CREATE,
                null, null);
        authorizeTypes(principal, parsed.definition());
        SubscriptionManager.Created created = manager.create(parsed, principal.tokenId(), principal.project());
        ctx.header("Location", "/v1/subscriptions/" + created.managed().id());
        respond(ctx, 201, render(created.managed(), created.secret()));
    }

    private void list(Context ctx) {
        Principal principal = Principal.of(ctx);
        int limit = intParam(ctx, "limit", DEFAULT_PAGE, 1, MAX_PAGE);
        String after = ctx.queryParam("after");
        Optional<Protocol> protocol = Optional.ofNullable(ctx.queryParam("protocol")).map(p -> enumParam("protocol", p,
                Protocol.class));
        Optional<Status> status = Optional.ofNullable(ctx.queryParam("status")).map(s -> enumParam("status", s,
                Status.class));
        ArrayNode items = JsonNodeFactory.instance.arrayNode();
        String last = null;
        boolean more = false;
        for (SubscriptionManager.Managed managed : manager.all()) {
            SubscriptionRecord record = managed.record();
            if ((after != null && record.id().compareTo(after) <= 0) || !visibleTo(principal, record)
                    || protocol.filter(p -> p != record.definition().protocol()).isPresent()
                    || status.filter(s -> s != record.status()).isPresent()) {
                continue;
            }
            if (items.size() == limit) {
                more = true;
                break;
            }
            items.add(render(managed, null));
            last = record.id();
        }
        ObjectNode page = JsonNodeFactory.instance.objectNode();
        page.set("items", items);
        page.put("next", more ? last : null);
        respond(ctx, 200, page);
    }

    private void replace(Context ctx) {
        SubscriptionManager.Managed managed = visible(ctx);
        update(ctx, managed, body(ctx));
    }

    private void patch(Context ctx) {
        SubscriptionManager.Managed managed = visible(ctx);
        JsonNode patch = body(ctx);
        if (!patch.isObject()) {
            throw SubscriptionRequests.invalid(List.of(new Violation("body", "must be a JSON merge patch object "
                    + "(RFC 7396)", patch.getNodeType().toString().toLowerCase(Locale.ROOT))));
        }
        ObjectNode current = managed.record().definition().toPublicJson();
        update(ctx, managed, mergePatch(current, patch));
    }

    private void update(Context ctx, SubscriptionManager.Managed managed, JsonNode body) {
        Principal principal = Principal.of(ctx);
        SubscriptionRequests.Parsed parsed = manager.requests().read(body, SubscriptionRequests.Mode.REPLACE,
                managed.record().definition(), managed.id());
        authorizeTypes(principal, parsed.definition());
        managed.replace(parsed.definition());
        respond(ctx, 200, render(managed, null));
    }

    private void delete(Context ctx) {
        manager.delete(visible(ctx));
        ctx.status(204);
    }

    private void rotateSecret(Context ctx) {
        SubscriptionManager.Managed managed = visible(ctx);
        Optional<WebhookSecret> given = Optional.empty();
        if (ctx.bodyAsBytes().length > 0) {
            JsonNode body = body(ctx);
            JsonNode secret = body.get("secret");
            if (!body.isObject() || (body.size() > 0 && secret == null) || body.size() > 1) {
                throw SubscriptionRequests.invalid(List.of(new Violation("body", "must be empty or "
                        + "{\"secret\": \"whsec_…\"}", null)));
            }
            if (secret != null && !secret.isNull()) {
                try {
                    given = Optional.of(WebhookSecret.parse(secret.asText()));
                } catch (IllegalArgumentException e) {
                    throw SubscriptionRequests.invalid(List.of(new Violation("secret", e.getMessage(), null)));
                }
            }
        }
        WebhookSecret secret = managed.rotateSecret(given);
        respond(ctx, 200, render(managed, secret));
    }

    private void seek(Context ctx) {
        SubscriptionManager.Managed managed = visible(ctx);
        JsonNode body = body(ctx);
        JsonNode to = body.get("to");
        StartPosition position = null;
        if (to != null && to.isTextual()) {
            String text = to.asText();
            if (text.equals("latest") || text.equals("earliest")) {
                position = StartPosition.parse(text);
            } else {
                try {
                    position = StartPosition.at(OffsetDateTime.parse(text).toInstant());
                } catch (DateTimeParseException e) {
                    // reported below
                }
            }
        }
        if (position == null) {
            throw SubscriptionRequests.invalid(List.of(new Violation("to", "must be \"earliest\", \"latest\" or an "
                    + "RFC 3339 timestamp such as 2026-11-01T00:00:00Z", to == null ? null : to.toString())));
        }
        managed.seek(position);
        respond(ctx, 200, render(managed, null));
    }

    // ---------------------------------------------------------------- streaming pull

    private void stream(Context ctx) {
        SubscriptionManager.Managed managed = visible(ctx);
        if (managed.record().definition().protocol() != Protocol.PULL) {
            throw new Problem(409, "Not a PULL subscription", "subscription " + managed.id() + " delivers to its "
                    + "sink by webhook; only subscriptions with \"protocol\": \"PULL\" can be streamed");
        }
        int maxOutstanding = intParam(ctx, "maxOutstanding", settings.pullMaxOutstanding(), 1, 100_000);
        manager.pulls().serve(managed, ctx.res(), maxOutstanding, ctx.header("Last-Event-ID"), serverStopping(ctx));
    }

    /**
     * Whether the HTTP server is shutting down: streams end then, so that a graceful stop does not wait
     * for them until its timeout (their un-acked events are released for redelivery).
     */
    private static java.util.function.BooleanSupplier serverStopping(Context ctx) {
        try {
            org.eclipse.jetty.server.Server server = org.eclipse.jetty.ee10.servlet.ServletContextHandler
                    .getServletContextHandler(ctx.req().getServletContext()).getServer();
            if (server != null) {
                return () -> !server.isRunning();
            }
        } catch (RuntimeException | LinkageError e) {
            // not on Jetty: streams end when the module closes
        }
        return () -> false;
    }

    private void settle(Context ctx, boolean ack) {
        SubscriptionManager.Managed managed = visible(ctx);
        if (managed.record().definition().protocol() != Protocol.PULL) {
            throw new Problem(409, "Not a PULL subscription", "only events streamed from a PULL subscription are "
                    + "acked or nacked");
        }
        JsonNode body = body(ctx);
        List<Violation> violations = new ArrayList<>();
        List<String> ids = ids(body, violations);
        Duration delay = null;
        if (!ack && body.hasNonNull("delay")) {
            try {
                delay = Durations.parse(body.get("delay").asText());
            } catch (IllegalArgumentException e) {
                violations.add(new Violation("delay", e.getMessage(), body.get("delay").toString()));
            }
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("ids") && !(name.equals("delay") && !ack)) {
                violations.add(new Violation(name, "unknown field; " + (ack ? "acks have ids" : "nacks have ids "
                        + "and delay"), null));
            }
        }
        if (!violations.isEmpty()) {
            throw SubscriptionRequests.invalid(violations);
        }
        PullStreams.Settled settled = ack ? manager.pulls().ack(managed.id(), ids)
                : manager.pulls().nack(managed, ids, delay);
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        result.put(ack ? "acked" : "nacked", settled.settled());
        if (!ack) {
            result.put("deadLettered", settled.deadLettered());
        }
        ArrayNode unknown = result.putArray("unknown");
        settled.unknown().forEach(unknown::add);
        respond(ctx, 200, result);
    }

    private static List<String> ids(JsonNode body, List<Violation> violations) {
        JsonNode ids = body.get("ids");
        if (ids == null || !ids.isArray() || ids.isEmpty()) {
            violations.add(Violation.missing("ids", "is required: a non-empty array of ids"));
            return List.of();
        }
        if (ids.size() > MAX_IDS) {
            violations.add(new Violation("ids", "at most " + MAX_IDS + " ids per call", Integer.toString(ids.size())));
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            if (!ids.get(i).isTextual()) {
                violations.add(new Violation("ids[" + i + "]", "must be a string", ids.get(i).toString()));
            } else {
                out.add(ids.get(i).asText());
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- dead letters

    private void listDeadLetters(Context ctx) {
        SubscriptionManager.Managed managed = visible(ctx);
        int limit = intParam(ctx, "limit", DEFAULT_PAGE, 1, MAX_PAGE);
        boolean withEvents = "event".equals(ctx.queryParam("include"));
        DeadLetters letters = managed.deadLetters();
        List<DeadLetter> page = letters.list(ctx.queryParam("after"), limit + 1);
        boolean more = page.size() > limit;
        List<DeadLetter> shown = more ? page.subList(0, limit) : page;
        ArrayNode items = JsonNodeFactory.instance.arrayNode();
        shown.forEach(letter -> items.add(renderDeadLetter(letter, withEvents)));
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        result.set("items", items);
        result.put("next", more ? shown.getLast().id() : null);
        result.put("total", letters.count());
        respond(ctx, 200, result);
    }

    private void deadLetterAction(Context ctx, boolean redrive) {
        SubscriptionManager.Managed managed = visible(ctx);
        JsonNode body = body(ctx);
        DeadLetters letters = managed.deadLetters();
        boolean all = body.path("all").asBoolean(false);
        List<Violation> violations = new ArrayList<>();
        List<String> ids;
        if (all) {
            if (body.has("ids")) {
                violations.add(new Violation("ids", "must not be given with \"all\": true", null));
            }
            ids = letters.all().stream().map(DeadLetter::id).toList();
        } else {
            ids = ids(body, violations);
            if (violations.size() == 1 && !body.has("ids")) {
                violations.set(0, Violation.missing("ids", "is required (or \"all\": true)"));
            }
        }
        if (!violations.isEmpty()) {
            throw SubscriptionRequests.invalid(violations);
        }
        int count = ids.isEmpty() ? 0 : redrive ? letters.redrive(ids) : letters.discard(ids);
        respond(ctx, 200, JsonNodeFactory.instance.objectNode().put(redrive ? "redriven" : "discarded", count));
    }

    private static DeadLetter findDeadLetter(SubscriptionManager.Managed managed, String id) {
        return managed.deadLetters().all().stream().filter(letter -> letter.id().equals(id)).findFirst()
                .orElseThrow(() -> new Problem(404, "Not found", "subscription " + managed.id()
                        + " has no dead letter " + id));
    }

    private static ObjectNode renderDeadLetter(DeadLetter letter, boolean withEvent) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("id", letter.id());
        json.put("eventId", letter.event().getId());
        json.put("type", letter.event().getType());
        json.put("source", letter.event().getSource().toString());
        if (letter.event().getSubject() != null) {
            json.put("subject", letter.event().getSubject());
        }
        json.put("attempts", letter.attempts());
        json.put("lastError", letter.lastError());
        json.put("firstAttemptAt", text(letter.firstAttemptAt()));
        json.put("deadAt", text(letter.deadAt()));
        if (withEvent) {
            try {
                json.set("event", MAPPER.readTree(JsonEvents.write(letter.event())));
            } catch (IOException e) {
                throw new IllegalStateException("cannot render dead letter " + letter.id(), e);
            }
        }
        return json;
    }

    // ---------------------------------------------------------------- authorization

    /** The subscription named in the path, if this principal may see it; else 404. */
    private SubscriptionManager.Managed visible(Context ctx) {
        String id = ctx.pathParam("id");
        return manager.find(id).filter(managed -> !managed.deleted())
                .filter(managed -> visibleTo(Principal.of(ctx), managed.record()))
                .orElseThrow(() -> new Problem(404, "Not found", "no subscription " + id));
    }

    static boolean visibleTo(Principal principal, SubscriptionRecord record) {
        if (principal.isAdmin()) {
            return true;
        }
        if (principal.project().isPresent() && !principal.project().get().equals(record.project())) {
            return false;
        }
        List<String> types = record.definition().types();
        return !types.isEmpty() && types.stream().allMatch(principal::canSubscribe);
    }

    private static void authorizeTypes(Principal principal, SubscriptionDefinition definition) {
        if (principal.isAdmin()) {
            return;
        }
        if (definition.types().isEmpty()) {
            throw new Problem(403, "Forbidden", "types: a subscription to every event type needs the admin scope; "
                    + "list the types this token may subscribe to", List.of(new Violation("types",
                    "required for tokens without the admin scope", null)));
        }
        List<Violation> refused = new ArrayList<>();
        List<String> types = definition.types();
        for (int i = 0; i < types.size(); i++) {
            if (!principal.canSubscribe(types.get(i))) {
                refused.add(new Violation("types[" + i + "]", "this token may not subscribe to it", types.get(i)));
            }
        }
        if (!refused.isEmpty()) {
            throw new Problem(403, "Forbidden", "this token may not subscribe to "
                    + String.join(", ", refused.stream().map(Violation::value).toList()), refused);
        }
    }

    // ---------------------------------------------------------------- rendering

    private ObjectNode render(SubscriptionManager.Managed managed, WebhookSecret secret) {
        SubscriptionRecord record = managed.record();
        SubscriptionDefinition definition = record.definition();
        ObjectNode json = definition.toPublicJson();
        if (record.project() != null) {
            json.put("project", record.project());
        }
        json.put("status", record.status().jsonName());
        if (record.statusReason() != null) {
            json.put("statusReason", record.statusReason());
        }
        json.put("statusChangedAt", text(record.statusChangedAt()));
        SubscriptionStats stats = managed.stats();
        ObjectNode statsNode = json.putObject("stats");
        statsNode.put("backlog", stats.backlog());
        statsNode.put("inFlight", stats.inFlight());
        statsNode.put("deadLetters", stats.deadLetters());
        if (definition.protocol() == Protocol.PULL) {
            json.put("stream", "/v1/subscriptions/" + record.id() + "/stream");
            statsNode.put("streams", manager.pulls().connected(record.id()));
            statsNode.put("unacked", manager.pulls().outstanding(record.id()));
        } else {
            SubscriptionRecord.Health health = managed.health();
            ObjectNode healthNode = json.putObject("health");
            healthNode.put("consecutiveFailures", health.consecutiveFailures());
            healthNode.put("failingSince", text(health.failingSince()));
            healthNode.put("lastError", health.lastError());
            healthNode.put("lastFailureAt", text(health.lastFailureAt()));
            healthNode.put("lastSuccessAt", text(health.lastSuccessAt()));
            Instant now = manager.now();
            if (record.previousSecretExpiresAt() != null && now.isBefore(record.previousSecretExpiresAt())) {
                json.putObject("secretRotation").put("previousSecretValidUntil",
                        text(record.previousSecretExpiresAt()));
            }
        }
        json.put("createdAt", text(record.createdAt()));
        json.put("updatedAt", text(record.updatedAt()));
        json.put("createdBy", record.createdBy());
        if (secret != null) {
            json.put("secret", secret.text());
        }
        return json;
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    // ---------------------------------------------------------------- HTTP helpers

    private static JsonNode body(Context ctx) {
        String contentType = ctx.contentType();
        if (contentType != null && !contentType.toLowerCase(Locale.ROOT).contains("json")) {
            throw new Problem(415, "Unsupported media type", "send application/json (got " + contentType + ")");
        }
        byte[] bytes = ctx.bodyAsBytes();
        if (bytes.length == 0) {
            return JsonNodeFactory.instance.objectNode();
        }
        try {
            JsonNode node = MAPPER.readTree(bytes);
            return node == null ? JsonNodeFactory.instance.objectNode() : node;
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr();
            throw new Problem(400, "Malformed JSON", "the body is not valid JSON" + where + ": "
                    + e.getOriginalMessage(), List.of(new Violation("body", "malformed JSON" + where, null)));
        } catch (IOException e) {
            throw new IllegalStateException("reading a byte array cannot fail", e);
        }
    }

    private static void respond(Context ctx, int status, JsonNode json) {
        try {
            ctx.status(status).contentType(JSON).result(MAPPER.writeValueAsBytes(json));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    private static int intParam(Context ctx, String name, int fallback, int min, int max) {
        String text = ctx.queryParam(name);
        if (text == null) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new Problem(400, "Invalid query parameter", name + ": must be an integer from " + min + " to " + max,
                List.of(new Violation(name, "must be an integer from " + min + " to " + max, text)));
    }

    private static <E extends Enum<E>> E enumParam(String name, String text, Class<E> type) {
        try {
            return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new Problem(400, "Invalid query parameter", name + ": unknown value " + text,
                    List.of(new Violation(name, "must be one of " + java.util.Arrays.toString(type.getEnumConstants())
                            .toLowerCase(Locale.ROOT), text)));
        }
    }

    /** RFC 7396 JSON merge patch. */
    static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy()
                : JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> field : patch.properties()) {
            if (field.getValue().isNull()) {
                result.remove(field.getKey());
            } else {
                result.set(field.getKey(), mergePatch(result.get(field.getKey()), field.getValue()));
            }
        }
        return result;
    }
}
