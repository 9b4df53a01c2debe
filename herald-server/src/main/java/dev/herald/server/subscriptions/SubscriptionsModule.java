package dev.herald.server.subscriptions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.event.Violation;
import dev.herald.server.auth.Principal;
import dev.herald.server.config.ServerConfig;
import dev.herald.server.http.ApiModule;
import dev.herald.server.http.Json;
import dev.herald.server.http.ProblemRendering;
import dev.herald.server.http.QueryParams;
import dev.herald.server.state.ServerDatabase;
import dev.herald.server.subscriptions.SubscriptionException.Conflict;
import dev.herald.server.subscriptions.SubscriptionException.Conflict.Reason;
import dev.herald.server.webhook.WebhookSecret;
import dev.herald.server.wire.DeadLetterBody;
import dev.herald.server.wire.Page;
import dev.herald.server.wire.SubscriptionBody;
import dev.herald.store.DeadLetters;
import dev.herald.store.EventStore;
import dev.herald.transport.DeadLetter;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The subscriptions API ({@code /v1/subscriptions}): resources shaped after the CloudEvents
 * Subscriptions API with Herald's delivery policy, webhook delivery, streaming pull over SSE, and
 * dead letters. Mount it with {@link #routes}; close it before the event store.
 *
 * <p>Reading a subscription needs a token that sees it; everything else needs its owner or an admin
 * ({@link SubscriptionAccess}). This class holds the routes only. Who may see what is {@link SubscriptionAccess}; the JSON is
 * {@link SubscriptionJson} with the shared records of {@code dev.herald.server.wire}; the lifecycle
 * is {@link SubscriptionManager}, whose {@link SubscriptionException}s this module maps to RFC 9457
 * problems ({@link SubscriptionProblems}).
 */
public final class SubscriptionsModule implements ApiModule, AutoCloseable {

    private static final int DEFAULT_PAGE = 100;
    private static final int MAX_PAGE = 500;

    private final SubscriptionManager manager;
    private final SubscriptionAccess access;
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
        this.access = new SubscriptionAccess(manager);
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
        routes.exception(SubscriptionException.class, (e, ctx) -> ProblemRendering.render(ctx,
                SubscriptionProblems.of(e)));
        String base = "/v1/subscriptions";
        String one = base + "/{id}";
        routes.post(base, this::create);
        routes.get(base, this::list);
        routes.get(one, ctx -> respond(ctx, visible(ctx)));
        routes.put(one, ctx -> update(ctx, owned(ctx), SubscriptionJson.body(ctx)));
        routes.patch(one, ctx -> {
            SubscriptionManager.Managed managed = owned(ctx);
            update(ctx, managed, SubscriptionJson.patched(managed.record().definition().toPublicJson(),
                    SubscriptionJson.body(ctx)));
        });
        routes.delete(one, ctx -> {
            manager.delete(owned(ctx));
            ctx.status(204);
        });
        routes.post(one + "/pause", ctx -> {
            SubscriptionManager.Managed managed = owned(ctx);
            managed.pause("paused by token " + Principal.of(ctx).tokenId());
            respond(ctx, managed);
        });
        routes.post(one + "/resume", ctx -> {
            SubscriptionManager.Managed managed = owned(ctx);
            managed.resume();
            respond(ctx, managed);
        });
        routes.post(one + "/enable", ctx -> {
            SubscriptionManager.Managed managed = owned(ctx);
            managed.enable();
            respond(ctx, managed);
        });
        routes.post(one + "/rotate-secret", ctx -> {
            SubscriptionManager.Managed managed = owned(ctx);
            WebhookSecret secret = managed.rotateSecret(SubscriptionJson.rotationSecret(ctx));
            Json.respond(ctx, 200, render(ctx, managed, secret));
        });
        routes.post(one + "/seek", ctx -> {
            SubscriptionManager.Managed managed = owned(ctx);
            managed.seek(SubscriptionJson.seekPosition(SubscriptionJson.body(ctx)));
            respond(ctx, managed);
        });
        routes.get(one + "/stream", this::stream);
        routes.post(one + "/acks", ctx -> settle(ctx, true));
        routes.post(one + "/nacks", ctx -> settle(ctx, false));
        routes.get(one + "/dead-letters", this::listDeadLetters);
        routes.post(one + "/dead-letters/redrive", ctx -> deadLetterAction(ctx, true));
        routes.post(one + "/dead-letters/discard", ctx -> deadLetterAction(ctx, false));
        routes.get(one + "/dead-letters/{dead}", ctx -> Json.respond(ctx, 200,
                SubscriptionJson.render(deadLetter(owned(ctx), ctx.pathParam("dead")), true)));
        routes.post(one + "/dead-letters/{dead}/redrive", ctx -> {
            SubscriptionManager.Managed managed = owned(ctx);
            DeadLetter letter = deadLetter(managed, ctx.pathParam("dead"));
            Json.respond(ctx, 200, Map.of("redriven", managed.deadLetters().redrive(List.of(letter.id()))));
        });
        routes.delete(one + "/dead-letters/{dead}", ctx -> {
            SubscriptionManager.Managed managed = owned(ctx);
            managed.deadLetters().discard(List.of(deadLetter(managed, ctx.pathParam("dead")).id()));
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
        SubscriptionRequests.Parsed parsed = manager.requests().read(SubscriptionJson.body(ctx),
                SubscriptionRequests.Mode.CREATE, null, null);
        SubscriptionAccess.authorizeTypes(principal, parsed.definition());
        SubscriptionManager.Created created = manager.create(parsed, principal.tokenId(), principal.project());
        ctx.header("Location", "/v1/subscriptions/" + created.managed().id());
        Json.respond(ctx, 201, render(ctx, created.managed(), created.secret()));
    }

    private void list(Context ctx) {
        Principal principal = Principal.of(ctx);
        int limit = QueryParams.integer(ctx, "limit", DEFAULT_PAGE, 1, MAX_PAGE);
        String after = ctx.queryParam("after");
        Optional<Protocol> protocol = QueryParams.enumValue(ctx, "protocol", Protocol.class);
        Optional<Status> status = QueryParams.enumValue(ctx, "status", Status.class);
        List<SubscriptionBody> items = new ArrayList<>();
        String last = null;
        boolean more = false;
        for (SubscriptionManager.Managed managed : manager.all()) {
            SubscriptionRecord record = managed.record();
            if ((after != null && record.id().compareTo(after) <= 0)
                    || !SubscriptionAccess.visibleTo(principal, record)
                    || protocol.filter(p -> p != record.definition().protocol()).isPresent()
                    || status.filter(s -> s != record.status()).isPresent()) {
                continue;
            }
            if (items.size() == limit) {
                more = true;
                break;
            }
            items.add(render(ctx, managed, null));
            last = record.id();
        }
        Json.respond(ctx, 200, new Page<>(items, more ? last : null, null));
    }

    private void update(Context ctx, SubscriptionManager.Managed managed, JsonNode body) {
        SubscriptionRequests.Parsed parsed = manager.requests().read(body, SubscriptionRequests.Mode.REPLACE,
                managed.record().definition(), managed.id());
        SubscriptionAccess.authorizeTypes(Principal.of(ctx), parsed.definition());
        managed.replace(parsed.definition());
        respond(ctx, managed);
    }

    // ---------------------------------------------------------------- streaming pull

    private void stream(Context ctx) {
        SubscriptionManager.Managed managed = owned(ctx);
        if (managed.record().definition().protocol() != Protocol.PULL) {
            throw new Conflict(Reason.NOT_PULL, "subscription " + managed.id() + " delivers to its sink by "
                    + "webhook; only subscriptions with \"protocol\": \"PULL\" can be streamed");
        }
        int limit = settings.limits().maxOutstanding();
        int maxOutstanding = QueryParams.integer(ctx, "maxOutstanding", Math.min(settings.pullMaxOutstanding(), limit),
                1, Integer.MAX_VALUE);
        if (maxOutstanding > limit) {
            throw new SubscriptionException.Invalid(List.of(new Violation("maxOutstanding", "must be at most "
                    + limit + " (setting " + ServerConfig.LIMITS_MAX_OUTSTANDING.name() + ")",
                    Integer.toString(maxOutstanding))));
        }
        manager.pulls().serve(managed, Principal.of(ctx).tokenId(), ctx.res(), maxOutstanding,
                ctx.header("Last-Event-ID"), serverStopping(ctx));
    }

    /**
     * Whether the HTTP server is shutting down: streams end then, so that a graceful stop does not wait
     * for them until its timeout (their un-acked events are released for redelivery).
     */
    private static BooleanSupplier serverStopping(Context ctx) {
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
        SubscriptionManager.Managed managed = owned(ctx);
        if (managed.record().definition().protocol() != Protocol.PULL) {
            throw new Conflict(Reason.NOT_PULL, "only events streamed from a PULL subscription are acked or "
                    + "nacked");
        }
        SubscriptionJson.Settle request = SubscriptionJson.settle(SubscriptionJson.body(ctx), ack);
        PullStreams.Settled settled = ack ? manager.pulls().ack(managed.id(), request.ids())
                : manager.pulls().nack(managed, request.ids(), request.delay());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put(ack ? "acked" : "nacked", settled.settled());
        if (!ack) {
            result.put("deadLettered", settled.deadLettered());
        }
        result.put("unknown", settled.unknown());
        Json.respond(ctx, 200, result);
    }

    // ---------------------------------------------------------------- dead letters

    private void listDeadLetters(Context ctx) {
        SubscriptionManager.Managed managed = owned(ctx);
        int limit = QueryParams.integer(ctx, "limit", DEFAULT_PAGE, 1, MAX_PAGE);
        boolean withEvents = "event".equals(ctx.queryParam("include"));
        DeadLetters letters = managed.deadLetters();
        List<DeadLetter> page = letters.list(ctx.queryParam("after"), limit + 1);
        boolean more = page.size() > limit;
        List<DeadLetter> shown = more ? page.subList(0, limit) : page;
        List<DeadLetterBody> items = shown.stream().map(letter -> SubscriptionJson.render(letter, withEvents))
                .toList();
        Json.respond(ctx, 200, new Page<>(items, more ? shown.getLast().id() : null, letters.count()));
    }

    private void deadLetterAction(Context ctx, boolean redrive) {
        SubscriptionManager.Managed managed = owned(ctx);
        DeadLetters letters = managed.deadLetters();
        List<String> ids = SubscriptionJson.deadLetterIds(SubscriptionJson.body(ctx),
                () -> letters.all().stream().map(DeadLetter::id).toList());
        int count = ids.isEmpty() ? 0 : redrive ? letters.redrive(ids) : letters.discard(ids);
        Json.respond(ctx, 200, Map.of(redrive ? "redriven" : "discarded", count));
    }

    private static DeadLetter deadLetter(SubscriptionManager.Managed managed, String id) {
        return managed.deadLetters().all().stream().filter(letter -> letter.id().equals(id)).findFirst()
                .orElseThrow(() -> new SubscriptionException.NotFound("subscription " + managed.id()
                        + " has no dead letter " + id));
    }

    // ---------------------------------------------------------------- helpers

    /** The subscription named in the path, if the caller may see it. */
    private SubscriptionManager.Managed visible(Context ctx) {
        return access.visible(Principal.of(ctx), ctx.pathParam("id"));
    }

    /** The subscription named in the path, if the caller may change and operate it (owner or admin). */
    private SubscriptionManager.Managed owned(Context ctx) {
        return access.owned(Principal.of(ctx), ctx.pathParam("id"));
    }

    private SubscriptionBody render(Context ctx, SubscriptionManager.Managed managed, WebhookSecret secret) {
        return SubscriptionJson.render(managed, manager.pulls(), manager.now(), secret,
                SubscriptionAccess.owns(Principal.of(ctx), managed.record()));
    }

    private void respond(Context ctx, SubscriptionManager.Managed managed) {
        Json.respond(ctx, 200, render(ctx, managed, null));
    }
}
