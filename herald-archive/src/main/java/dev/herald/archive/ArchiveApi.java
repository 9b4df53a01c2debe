package dev.herald.archive;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.auth.Principal;
import dev.herald.server.http.ApiModule;
import dev.herald.server.http.Json;
import dev.herald.server.http.Problem;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * {@code GET /v1/archive} (admin): how far the server's continuous archive has got, what
 * {@code herald archive status} prints.
 *
 * <pre>{@code
 * {"dir": "/var/lib/herald/archive", "subscription": "herald-archive",
 *  "rows": 120000, "files": 48, "checkpoint": 24, "lastEvent": "2026-12-06T01:40:00Z",
 *  "backlog": 350, "inFlight": 120, "lagSeconds": 42.5, "lastError": null}
 * }</pre>
 *
 * A server without {@code archive.dir} answers 404.
 */
final class ArchiveApi implements ApiModule, AutoCloseable {

    private final ContinuousArchive archive;

    /** @param archive the running archive, or null when the server has none */
    ArchiveApi(ContinuousArchive archive) {
        this.archive = archive;
    }

    @Override
    public void routes(RoutesConfig routes) {
        routes.get("/v1/archive", this::status);
    }

    private void status(Context ctx) {
        Principal principal = Principal.of(ctx);
        if (!principal.isAdmin()) {
            throw new Problem(403, "Forbidden", "the archive's status needs the admin scope; token "
                    + principal.tokenId() + " does not have it");
        }
        if (archive == null) {
            throw new Problem(404, "Not Found", "this server has no archive: set " + ArchiveSettings.DIR);
        }
        ContinuousArchive.Status status = archive.status();
        ObjectNode body = Json.object();
        body.put("dir", archive.spec().out().toAbsolutePath().toString());
        body.put("subscription", ContinuousArchive.SUBSCRIPTION);
        body.put("rows", status.written().map(ArchiveStatus::rows).orElse(0L));
        body.put("files", status.written().map(ArchiveStatus::files).orElse(0));
        body.put("checkpoint", status.written().map(ArchiveStatus::checkpoint).orElse(0));
        body.put("lastEvent", status.written().flatMap(ArchiveStatus::lastEvent).map(Object::toString).orElse(null));
        body.put("backlog", status.backlog());
        body.put("inFlight", status.inFlight());
        if (status.lag().isPresent()) {
            body.put("lagSeconds", status.lag().get().toMillis() / 1000.0);
        } else {
            body.putNull("lagSeconds");
        }
        body.put("lastError", status.lastError().orElse(null));
        ctx.header("Cache-Control", "no-store");
        Json.respond(ctx, 200, body);
    }

    @Override
    public void close() {
        if (archive != null) {
            archive.close();
        }
    }
}
