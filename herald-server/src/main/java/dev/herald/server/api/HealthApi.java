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
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Operations endpoints, outside {@code /v1}:
 * <ul>
 *   <li>{@code GET /healthz}: liveness — 200 while the process serves HTTP;</li>
 *   <li>{@code GET /readyz}: readiness — 200 when the event store and the server database answer and
 *       the server is not shutting down, else 503 naming the failing check. Each probe runs on its own
 *       thread and counts as failed when it has not answered within {@link #PROBE_TIMEOUT}: an unreachable
 *       backend often does not fail at once (a pool waits for a connection, a packet is lost), and a
 *       load balancer must hear "not ready" before its own timeout, not a hanging request;</li>
 *   <li>{@code GET /metrics}: Prometheus text format, from the registry the event store also reports to
 *       ({@code herald_publish_*}, {@code herald_dispatch_*}, {@code herald_http_server_requests_*}, JVM);
 *       a token with the {@code metrics} (or {@code admin}) scope is required unless {@code metrics.public=true}.</li>
 * </ul>
 */
public final class HealthApi implements ApiModule {

    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    /** How long a readiness probe may take before it counts as failed. */
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

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
        Map<String, FutureTask<Void>> probes = new LinkedHashMap<>();
        probes.put("accepting", probe("accepting", () -> {
            if (!accepting.getAsBoolean()) {
                throw new IllegalStateException("shutting down");
            }
        }));
        probes.put("store", probe("store", () -> store.transport().subscription("herald-readyz-probe")));
        probes.put("database", probe("database", () -> db.with(connection -> {
            try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                return rs.next();
            }
        })));
        long deadline = System.nanoTime() + PROBE_TIMEOUT.toNanos();
        ObjectNode checks = Json.object();
        boolean ok = true;
        for (Map.Entry<String, FutureTask<Void>> probe : probes.entrySet()) {
            String outcome = outcome(probe.getValue(), deadline);
            checks.put(probe.getKey(), outcome);
            ok &= outcome.equals("ok");
        }
        ObjectNode body = Json.object();
        body.put("status", ok ? "ready" : "unavailable");
        body.set("checks", checks);
        if (!ok) {
            ctx.header("Retry-After", "5");
        }
        Json.respond(ctx, ok ? 200 : 503, body);
    }

    /** Starts a probe on a virtual thread of its own (one that hangs is left to finish or fail later). */
    private static FutureTask<Void> probe(String name, Runnable check) {
        FutureTask<Void> task = new FutureTask<>(check, null);
        Thread.ofVirtual().name("herald-readyz-" + name).start(task);
        return task;
    }

    /** {@code ok}, or {@code failed: <why>}. */
    private static String outcome(FutureTask<Void> task, long deadlineNanos) {
        try {
            task.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            return "ok";
        } catch (TimeoutException e) {
            task.cancel(true);
            return "failed: no answer within " + PROBE_TIMEOUT.toSeconds() + " s";
        } catch (ExecutionException e) {
            return "failed: " + e.getCause().getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "failed: interrupted";
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
