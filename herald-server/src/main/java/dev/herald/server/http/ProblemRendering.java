package dev.herald.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.event.InvalidEventException;
import dev.herald.event.Violation;
import dev.herald.schema.IncompatibleSchemaException;
import dev.herald.schema.SchemaCatalogException;
import dev.herald.server.state.StateUnavailableException;
import dev.herald.transport.TransportException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure into an RFC 9457 problem ({@code application/problem+json}): {@link Problem}s
 * as thrown, invalid events as 400 with their violations, incompatible schemas as 409 with every
 * reason, Javalin's own errors (404, 405, 413, …) with their status, event store failures as 503 (safe
 * to retry: nothing was acknowledged), and anything unexpected as 500
 * with an error id that is also in the server log (the response never carries a stack trace).
 */
public final class ProblemRendering {

    /** The media type of problem responses. */
    public static final String MEDIA_TYPE = "application/problem+json";

    private static final Logger LOG = LoggerFactory.getLogger(ProblemRendering.class);

    private ProblemRendering() {
    }

    /** Registers the exception and error handlers. */
    public static void install(RoutesConfig routes) {
        routes.exception(Problem.class, (problem, ctx) -> render(ctx, problem));
        routes.exception(InvalidEventException.class, (e, ctx) -> render(ctx, invalidEvent(e.violations())));
        routes.exception(IncompatibleSchemaException.class, (e, ctx) -> render(ctx, incompatible(e)));
        routes.exception(SchemaCatalogException.class, (e, ctx) -> render(ctx,
                new Problem(400, "Invalid schema", e.getMessage())));
        routes.exception(HttpResponseException.class, (e, ctx) -> render(ctx, switch (e.getStatus()) {
            case 404 -> new Problem(404, "Not found", "no resource at " + ctx.method().name() + " " + ctx.path());
            case 405 -> new Problem(405, "Method not allowed", ctx.method().name() + " is not allowed on " + ctx.path());
            default -> new Problem(e.getStatus(), reason(e.getStatus()), e.getMessage());
        }));
        routes.exception(TransportException.class, (e, ctx) -> {
            String errorId = UUID.randomUUID().toString();
            LOG.atError().setMessage("event store failure").addKeyValue("error_id", errorId)
                    .addKeyValue("method", ctx.method().name()).addKeyValue("path", ctx.path())
                    .setCause(e).log();
            render(ctx, new Problem(503, "Store unavailable", "the event store failed (error id " + errorId
                    + "); nothing was acknowledged, retrying is safe").header("Retry-After", "1"));
        });
        routes.exception(StateUnavailableException.class, (e, ctx) -> {
            String errorId = UUID.randomUUID().toString();
            LOG.atError().setMessage("state database unreachable").addKeyValue("error_id", errorId)
                    .addKeyValue("method", ctx.method().name()).addKeyValue("path", ctx.path())
                    .setCause(e).log();
            render(ctx, new Problem(503, "State unavailable", "the server's state database is unreachable (error id "
                    + errorId + "); retry later").header("Retry-After", "1"));
        });
        routes.exception(Exception.class, (e, ctx) -> {
            String errorId = UUID.randomUUID().toString();
            LOG.atError().setMessage("request failed").addKeyValue("error_id", errorId)
                    .addKeyValue("method", ctx.method().name()).addKeyValue("path", ctx.path())
                    .setCause(e).log();
            render(ctx, new Problem(500, "Internal server error",
                    "the server failed to handle the request; error id " + errorId + " is in its log"));
        });
        routes.error(404, ctx -> {
            if (!isProblem(ctx)) {
                render(ctx, new Problem(404, "Not found", "no resource at " + ctx.method().name() + " " + ctx.path()));
            }
        });
        routes.error(405, ctx -> {
            if (!isProblem(ctx)) {
                render(ctx, new Problem(405, "Method not allowed", ctx.method().name() + " is not allowed on "
                        + ctx.path()));
            }
        });
    }

    /** A 400 for invalid events. */
    public static Problem invalidEvent(List<Violation> violations) {
        return new Problem(400, "Invalid event", violations.size() == 1
                ? "the event breaks a rule: " + violations.getFirst()
                : "the events break " + violations.size() + " rules; nothing was stored", violations);
    }

    /** A 409 naming every reason a schema version is incompatible (where = JSON pointer in the schema). */
    public static Problem incompatible(IncompatibleSchemaException e) {
        List<Violation> reasons = e.reasons().stream()
                .map(r -> new Violation(r.pointer().isEmpty() ? "(root)" : r.pointer(), r.reason(), null))
                .toList();
        return new Problem(409, "Incompatible schema", e.getMessage(), reasons);
    }

    /** Writes a problem as the response. */
    public static void render(Context ctx, Problem problem) {
        ObjectNode body = Json.object();
        body.put("type", "urn:herald:problem:" + slug(problem.title()));
        body.put("title", problem.title());
        body.put("status", problem.status());
        body.put("detail", problem.detail());
        body.put("instance", ctx.path());
        if (!problem.violations().isEmpty()) {
            ArrayNode violations = body.putArray("violations");
            for (Violation v : problem.violations()) {
                ObjectNode item = violations.addObject();
                item.put("where", v.where());
                item.put("rule", v.rule());
                if (v.value() != null) {
                    item.put("value", v.value());
                } else {
                    item.putNull("value");
                }
            }
        }
        problem.headers().forEach(ctx::header);
        Json.respond(ctx, problem.status(), MEDIA_TYPE, body);
    }

    private static boolean isProblem(Context ctx) {
        String type = ctx.res().getContentType();
        return type != null && type.startsWith(MEDIA_TYPE);
    }

    private static String slug(String title) {
        return title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }

    private static String reason(int status) {
        HttpStatus known = HttpStatus.forStatus(status);
        return known == HttpStatus.UNKNOWN ? "Error " + status : known.getMessage();
    }
}
