package dev.herald.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.event.Violation;
import dev.herald.server.auth.Principal;
import dev.herald.server.auth.RateLimiter;
import dev.herald.server.auth.Scope;
import dev.herald.server.auth.TokenStore;
import dev.herald.server.http.ApiModule;
import dev.herald.server.http.Bodies;
import dev.herald.server.http.Json;
import dev.herald.server.http.Problem;
import dev.herald.settings.Durations;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API tokens (admin scope), and {@code GET /v1/whoami} for any token.
 * <ul>
 *   <li>{@code POST /v1/tokens} {@code {"name", "scopes": [...], "project"?, "expiresAt"? | "expiresIn"?}}:
 *       201 with the token's secret — the only time it is shown;</li>
 *   <li>{@code GET /v1/tokens[?all=true]}: active tokens (with {@code all}, also revoked and expired), never
 *       a secret;</li>
 *   <li>{@code GET /v1/tokens/{id}}, {@code DELETE /v1/tokens/{id}} (revoke; 204, also when it was revoked
 *       already; 409 for the last active admin token, which would lock everyone out).</li>
 * </ul>
 */
public final class TokensApi implements ApiModule {

    private static final Logger LOG = LoggerFactory.getLogger(TokensApi.class);

    private final TokenStore tokens;
    private final RateLimiter limiter;
    private final Clock clock = Clock.systemUTC();

    public TokensApi(TokenStore tokens, RateLimiter limiter) {
        this.tokens = tokens;
        this.limiter = limiter;
    }

    @Override
    public void routes(RoutesConfig routes) {
        routes.post("/v1/tokens", this::create);
        routes.get("/v1/tokens", this::list);
        routes.get("/v1/tokens/{id}", this::get);
        routes.delete("/v1/tokens/{id}", this::revoke);
        routes.get("/v1/whoami", this::whoami);
    }

    private static Principal admin(Context ctx) {
        Principal principal = Principal.of(ctx);
        if (!principal.isAdmin()) {
            throw new Problem(403, "Forbidden", "managing tokens needs the admin scope; token "
                    + principal.tokenId() + " does not have it");
        }
        return principal;
    }

    private void create(Context ctx) {
        Principal principal = admin(ctx);
        ObjectNode request = Json.readObject(Bodies.read(ctx, 64 * 1024, "a token request"), "the token request");
        List<Violation> invalid = new ArrayList<>();
        String name = request.path("name").asText("");
        if (name.isBlank()) {
            invalid.add(Violation.missing("name", "is required: who or what uses the token"));
        }
        List<Scope> scopes = new ArrayList<>();
        JsonNode scopeNodes = request.path("scopes");
        if (!scopeNodes.isArray() || scopeNodes.isEmpty()) {
            invalid.add(Violation.missing("scopes", "is required: a non-empty array such as [\"publish:ci.*\"]"));
        } else {
            for (int i = 0; i < scopeNodes.size(); i++) {
                try {
                    scopes.add(Scope.parse(scopeNodes.get(i).asText()));
                } catch (IllegalArgumentException e) {
                    invalid.add(new Violation("scopes/" + i, e.getMessage(), scopeNodes.get(i).asText()));
                }
            }
        }
        String project = request.hasNonNull("project") ? request.get("project").asText().strip() : null;
        if (project != null && project.isEmpty()) {
            project = null;
        }
        Instant expiresAt = expiry(request, invalid);
        if (!invalid.isEmpty()) {
            throw new Problem(400, "Invalid token request", invalid.size() == 1 ? invalid.getFirst().toString()
                    : invalid.size() + " fields are invalid", invalid);
        }
        TokenStore.Created created;
        try {
            created = tokens.create(name, scopes, project, expiresAt, principal.tokenId());
        } catch (IllegalArgumentException e) {
            throw new Problem(400, "Invalid token request", e.getMessage());
        }
        LOG.atInfo().setMessage("token created").addKeyValue("token_id", created.info().id())
                .addKeyValue("name", created.info().name()).addKeyValue("scopes", created.info().scopes().toString())
                .addKeyValue("created_by", principal.tokenId()).log();
        ObjectNode body = describe(created.info());
        body.put("token", created.secret());
        ctx.header("Cache-Control", "no-store");
        ctx.header("Location", "/v1/tokens/" + created.info().id());
        Json.respond(ctx, 201, body);
    }

    private Instant expiry(ObjectNode request, List<Violation> invalid) {
        if (request.hasNonNull("expiresAt") && request.hasNonNull("expiresIn")) {
            invalid.add(new Violation("expiresIn", "give either expiresAt or expiresIn, not both", null));
            return null;
        }
        if (request.hasNonNull("expiresAt")) {
            String text = request.get("expiresAt").asText();
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException e) {
                invalid.add(new Violation("expiresAt", "must be an RFC 3339 timestamp", text));
            }
        } else if (request.hasNonNull("expiresIn")) {
            String text = request.get("expiresIn").asText();
            try {
                return clock.instant().plus(Durations.parse(text));
            } catch (IllegalArgumentException e) {
                invalid.add(new Violation("expiresIn", Durations.RULE, text));
            }
        }
        return null;
    }

    private void list(Context ctx) {
        admin(ctx);
        boolean all = "true".equalsIgnoreCase(ctx.queryParam("all"));
        ObjectNode body = Json.object();
        ArrayNode list = body.putArray("tokens");
        tokens.list(all).forEach(t -> list.add(describe(t)));
        Json.respond(ctx, 200, body);
    }

    private void get(Context ctx) {
        admin(ctx);
        String id = ctx.pathParam("id");
        TokenStore.TokenInfo token = tokens.find(id)
                .orElseThrow(() -> new Problem(404, "Unknown token", "no token with id " + id));
        Json.respond(ctx, 200, describe(token));
    }

    private void revoke(Context ctx) {
        Principal principal = admin(ctx);
        String id = ctx.pathParam("id");
        TokenStore.TokenInfo token = tokens.find(id)
                .orElseThrow(() -> new Problem(404, "Unknown token", "no token with id " + id));
        Instant now = clock.instant();
        if (token.isAdmin() && token.active(now) && tokens.activeAdmins() <= 1) {
            throw new Problem(409, "Last admin token", "token " + id + " is the last active admin token; create "
                    + "another admin token before revoking it");
        }
        if (tokens.revoke(id)) {
            limiter.forget(id);
            LOG.atInfo().setMessage("token revoked").addKeyValue("token_id", id)
                    .addKeyValue("revoked_by", principal.tokenId()).log();
        }
        ctx.status(204);
    }

    private void whoami(Context ctx) {
        Principal principal = Principal.of(ctx);
        TokenStore.TokenInfo token = tokens.find(principal.tokenId())
                .orElseThrow(() -> new Problem(401, "Invalid token", "the token no longer exists"));
        Json.respond(ctx, 200, describe(token));
    }

    private ObjectNode describe(TokenStore.TokenInfo token) {
        ObjectNode node = Json.object();
        node.put("id", token.id());
        node.put("name", token.name());
        ArrayNode scopes = node.putArray("scopes");
        token.scopes().forEach(s -> scopes.add(s.toString()));
        if (token.project().isPresent()) {
            node.put("project", token.project().get());
        } else {
            node.putNull("project");
        }
        node.put("status", token.status(clock.instant()));
        node.put("createdAt", token.createdAt().toString());
        node.put("createdBy", token.createdBy());
        putInstant(node, "expiresAt", token.expiresAt().orElse(null));
        putInstant(node, "revokedAt", token.revokedAt().orElse(null));
        putInstant(node, "lastUsedAt", token.lastUsedAt().orElse(null));
        return node;
    }

    private static void putInstant(ObjectNode node, String field, Instant instant) {
        if (instant == null) {
            node.putNull(field);
        } else {
            node.put(field, instant.toString());
        }
    }
}
