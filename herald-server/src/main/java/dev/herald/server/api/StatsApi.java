package dev.herald.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.auth.Principal;
import dev.herald.server.http.ApiModule;
import dev.herald.server.http.Json;
import dev.herald.server.http.Problem;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code GET /v1/stats} (metrics or admin scope): the process's publish and dispatch counters as JSON, for dashboards
 * (the console's overview) that cannot or should not scrape {@code /metrics}. Counts are cumulative
 * since the process started; a client derives rates from two samples and their {@code time}s:
 *
 * <pre>{@code
 * {"time": "2026-12-05T17:40:00.123Z",
 *  "published": {"total": 1250, "byType": {"ci.pipeline.created": 1200, "repository.push": 50}},
 *  "dispatched": {"total": 990, "byOutcome": {"acked": 980, "retrying": 8, "dead_lettered": 2},
 *                 "bySubscription": {"ci-hooks": {"acked": 980, "retrying": 8, "dead_lettered": 2}}}}
 * }</pre>
 *
 * Per-type and per-subscription figures reveal the whole stream's shape, so the route needs the
 * {@code metrics} or {@code admin} scope; backlogs and dead-letter counts of the subscriptions a token may see are in
 * {@code GET /v1/subscriptions}.
 */
public final class StatsApi implements ApiModule {

    private final MeterRegistry meters;
    private final Clock clock;

    public StatsApi(MeterRegistry meters, Clock clock) {
        this.meters = meters;
        this.clock = clock;
    }

    @Override
    public void routes(RoutesConfig routes) {
        routes.get("/v1/stats", this::stats);
    }

    private void stats(Context ctx) {
        Principal principal = Principal.of(ctx);
        if (!principal.canReadMetrics()) {
            throw new Problem(403, "Forbidden", "server statistics need the metrics (or admin) scope; token "
                    + principal.tokenId() + " has neither");
        }
        Map<String, Long> byType = new TreeMap<>();
        for (Counter counter : meters.find("herald.published.events").counters()) {
            byType.merge(counter.getId().getTag("type"), (long) counter.count(), Long::sum);
        }
        Map<String, Map<String, Long>> bySubscription = new TreeMap<>();
        Map<String, Long> byOutcome = new TreeMap<>();
        for (Timer timer : meters.find("herald.dispatch").timers()) {
            String outcome = timer.getId().getTag("outcome");
            if ("filtered".equals(outcome)) {
                continue;
            }
            bySubscription.computeIfAbsent(timer.getId().getTag("subscription"), s -> new TreeMap<>())
                    .merge(outcome, timer.count(), Long::sum);
            byOutcome.merge(outcome, timer.count(), Long::sum);
        }
        ObjectNode body = Json.object();
        body.put("time", clock.instant().toString());
        ObjectNode published = body.putObject("published");
        published.put("total", byType.values().stream().mapToLong(Long::longValue).sum());
        published.set("byType", Json.MAPPER.valueToTree(byType));
        ObjectNode dispatched = body.putObject("dispatched");
        dispatched.put("total", byOutcome.values().stream().mapToLong(Long::longValue).sum());
        dispatched.set("byOutcome", Json.MAPPER.valueToTree(byOutcome));
        dispatched.set("bySubscription", Json.MAPPER.valueToTree(bySubscription));
        ctx.header("Cache-Control", "no-store");
        Json.respond(ctx, 200, body);
    }
}
