package dev.herald.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.auth.Principal;
import dev.herald.server.http.ApiModule;
import dev.herald.server.http.Json;
import dev.herald.server.http.Problem;
import dev.herald.server.state.ServerDatabase;
import dev.herald.store.EventStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.function.BooleanSupplier;

/**
 * Operations endpoints, outside {@code /v1}:
 * <ul>
 *   <li>{@code GET /healthz}: liveness — 200 while the process serves HTTP;</li>
 *   <li>{@code GET /readyz}: readiness — 200 when the event store and the server database answer and
 *       the server is not shutting down, else 503 naming the failing check;</li>
 *   <li>{@code GET /metrics}: Prometheus text format, from the registry the event store also reports to
 *       ({@code herald_publish_*}, {@code herald_dispatch_*}, {@code herald_http_server_requests_*}, JVM);
 *       a token with the {@code metrics} (or {@code admin}) scope is required unless {@code metrics.public=true}.</li>
 * </ul>
 */
public final class HealthApi implements ApiModule {

    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final EventStore store;
    private final ServerDatabase db;
    private final PrometheusMeterRegistry meters;
    private final BooleanSupplier accepting;
    private final boolean metricsPublic;

    public HealthApi(EventStore store, ServerDatabase db, PrometheusMeterRegistry meters, BooleanSupplier accepting,
                     boolean metricsPublic) {
        this.store = store;
        this.db = db;
        this.meters = meters;
        this.accepting = accepting;
        this.metricsPublic = metricsPublic;
    }

    @Override
    public void routes(RoutesConfig routes) {
        routes.get("/healthz", ctx -> Json.respond(ctx, 200, Json.object().put("status", "ok")));
        routes.get("/readyz", this::ready);
        routes.get("/metrics", this::metrics);
    }

    private void ready(Context ctx) {
        ObjectNode checks = Json.object();
        boolean ok = check(checks, "accepting", () -> {
            if (!accepting.getAsBoolean()) {
                throw new IllegalStateException("shutting down");
            }
        });
        ok &= check(checks, "store", () -> store.transport().subscription("herald-readyz-probe"));
        ok &= check(checks, "database", () -> db.with(connection -> {
            try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                return rs.next();
            }
        }));
        ObjectNode body = Json.object();
        body.put("status", ok ? "ready" : "unavailable");
        body.set("checks", checks);
        if (!ok) {
            ctx.header("Retry-After", "5");
        }
        Json.respond(ctx, ok ? 200 : 503, body);
    }

    private static boolean check(ObjectNode checks, String name, Runnable probe) {
        try {
            probe.run();
            checks.put(name, "ok");
            return true;
        } catch (RuntimeException e) {
            checks.put(name, "failed: " + e.getMessage());
            return false;
        }
    }

    private void metrics(Context ctx) {
        if (!metricsPublic && !Principal.of(ctx).canReadMetrics()) {
            throw new Problem(403, "Forbidden", "metrics need a token with the metrics (or admin) scope; token "
                    + Principal.of(ctx).tokenId() + " has neither (or set metrics.public=true)");
        }
        ctx.status(200).contentType(PROMETHEUS_TEXT).result(meters.scrape());
    }
}
