package dev.herald.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.event.Violation;
import dev.herald.schema.Compatibility;
import dev.herald.schema.CompatibilityChecker;
import dev.herald.schema.Incompatibility;
import dev.herald.schema.SchemaRegistry;
import dev.herald.schema.SchemaVersion;
import dev.herald.server.auth.Principal;
import dev.herald.server.config.ServerConfig;
import dev.herald.server.http.ApiModule;
import dev.herald.server.http.Bodies;
import dev.herald.server.http.Json;
import dev.herald.server.http.Problem;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema registry over HTTP. Version URIs — what events name in {@code dataschema} — resolve here.
 * <ul>
 *   <li>{@code GET /v1/schemas}: every type with its versions;</li>
 *   <li>{@code GET /v1/schemas/{type}}: one type's versions;</li>
 *   <li>{@code GET /v1/schemas/{type}/v{n}} (or {@code /latest}): the schema document
 *       ({@code application/schema+json}); versions never change, so they are cacheable forever;</li>
 *   <li>{@code POST /v1/schemas/{type}} (admin): registers the body as the next version, checked
 *       against the newest one with the configured compatibility ({@code ?compatibility=} overrides
 *       it); 201 with the new version, 200 when identical to the newest (nothing changes), 409 with
 *       every incompatibility (pointer and reason), 400 for a schema that is not valid JSON Schema;</li>
 *   <li>{@code GET /v1/schemas/{type}/compatibility?from=1&to=2}: the verdict of each compatibility
 *       mode for going from one version to another, with every incompatibility, and the mode the
 *       registry enforces — what registering {@code to} after {@code from} would have been told.</li>
 * </ul>
 */
public final class SchemasApi implements ApiModule {

    private static final Logger LOG = LoggerFactory.getLogger(SchemasApi.class);
    private static final String SCHEMA_JSON = "application/schema+json";
    private static final long MAX_SCHEMA_BYTES = 1024 * 1024;

    private final SchemaRegistry registry;
    private final Compatibility defaultMode;

    public SchemasApi(SchemaRegistry registry, ServerConfig config) {
        this.registry = registry;
        this.defaultMode = config.get(ServerConfig.SCHEMAS_COMPATIBILITY);
    }

    @Override
    public void routes(RoutesConfig routes) {
        routes.get("/v1/schemas", this::list);
        routes.get("/v1/schemas/{type}", this::type);
        routes.get("/v1/schemas/{type}/compatibility", this::compatibility);
        routes.get("/v1/schemas/{type}/{version}", this::version);
        routes.post("/v1/schemas/{type}", this::register);
    }

    private void list(Context ctx) {
        ObjectNode body = Json.object();
        ArrayNode types = body.putArray("types");
        for (String type : registry.types()) {
            types.add(describe(type));
        }
        Json.respond(ctx, 200, body);
    }

    private void type(Context ctx) {
        String type = ctx.pathParam("type");
        if (registry.versions(type).isEmpty()) {
            throw new Problem(404, "Unknown event type", "no schema is registered for type " + type);
        }
        Json.respond(ctx, 200, describe(type));
    }

    private ObjectNode describe(String type) {
        List<SchemaVersion> versions = registry.versions(type);
        ObjectNode node = Json.object();
        node.put("type", type);
        node.put("latest", versions.getLast().version());
        node.put("uri", versions.getLast().uri().toString());
        ArrayNode list = node.putArray("versions");
        for (SchemaVersion version : versions) {
            ObjectNode item = list.addObject();
            item.put("version", version.version());
            item.put("uri", version.uri().toString());
            ArrayNode aliases = item.putArray("aliases");
            version.aliases().forEach(a -> aliases.add(a.toString()));
            JsonNode title = version.schema().get("title");
            if (title != null && title.isTextual()) {
                item.put("title", title.asText());
            }
        }
        return node;
    }

    private void compatibility(Context ctx) {
        String type = ctx.pathParam("type");
        if (registry.versions(type).isEmpty()) {
            throw new Problem(404, "Unknown event type", "no schema is registered for type " + type);
        }
        List<Violation> invalid = new ArrayList<>();
        SchemaVersion from = versionParam(ctx, type, "from", invalid);
        SchemaVersion to = versionParam(ctx, type, "to", invalid);
        if (!invalid.isEmpty()) {
            throw new Problem(400, "Invalid query", invalid.size() == 1 ? invalid.getFirst().toString()
                    : invalid.size() + " query parameters are invalid", invalid);
        }
        ObjectNode body = Json.object();
        body.put("type", type);
        body.put("from", from.version());
        body.put("to", to.version());
        body.put("enforced", defaultMode.name());
        ObjectNode verdicts = body.putObject("verdicts");
        for (Compatibility mode : List.of(Compatibility.BACKWARD, Compatibility.FORWARD, Compatibility.FULL)) {
            List<Incompatibility> found = CompatibilityChecker.check(mode, from.schema(), to.schema());
            ObjectNode verdict = verdicts.putObject(mode.name());
            verdict.put("compatible", found.isEmpty());
            ArrayNode reasons = verdict.putArray("incompatibilities");
            found.forEach(i -> reasons.addObject().put("pointer", i.pointer()).put("reason", i.reason()));
        }
        Json.respond(ctx, 200, body);
    }

    private SchemaVersion versionParam(Context ctx, String type, String name, List<Violation> invalid) {
        String text = ctx.queryParam(name);
        String number = text == null ? "" : text.strip().replaceFirst("^v", "");
        if (number.matches("[1-9][0-9]{0,8}")) {
            Optional<SchemaVersion> found = registry.find(type, Integer.parseInt(number));
            if (found.isPresent()) {
                return found.get();
            }
        }
        invalid.add(new Violation(name, "must name a version of " + type + ", 1 to "
                + registry.versions(type).size(), text));
        return registry.versions(type).getFirst();
    }

    private void version(Context ctx) {
        String type = ctx.pathParam("type");
        String versionText = ctx.pathParam("version");
        Optional<SchemaVersion> version;
        boolean latest = versionText.equals("latest");
        if (latest) {
            version = registry.latest(type);
        } else if (versionText.matches("v[1-9][0-9]{0,8}")) {
            version = registry.find(type, Integer.parseInt(versionText.substring(1)));
        } else {
            throw new Problem(404, "Unknown schema version", "versions are named v1, v2, … or latest, not "
                    + versionText);
        }
        if (version.isEmpty()) {
            throw new Problem(404, "Unknown schema version", registry.versions(type).isEmpty()
                    ? "no schema is registered for type " + type
                    : type + " has versions v1 to v" + registry.versions(type).size() + ", not " + versionText);
        }
        ctx.header("Cache-Control", latest ? "no-cache" : "public, max-age=31536000, immutable");
        if (latest) {
            ctx.header("Content-Location", version.get().uri().toString());
        }
        Json.respond(ctx, 200, SCHEMA_JSON, version.get().schema());
    }

    private void register(Context ctx) {
        Principal principal = Principal.of(ctx);
        if (!principal.isAdmin()) {
            throw new Problem(403, "Forbidden", "registering a schema needs the admin scope; token "
                    + principal.tokenId() + " does not have it");
        }
        String type = ctx.pathParam("type");
        Compatibility mode = mode(ctx.queryParam("compatibility"));
        JsonNode schema = Json.read(Bodies.read(ctx, MAX_SCHEMA_BYTES, "a schema"), "the schema");
        if (!schema.isObject()) {
            throw new Problem(400, "Invalid schema", "a schema must be a JSON object");
        }
        int before = registry.versions(type).size();
        SchemaVersion registered;
        try {
            registered = registry.register(type, schema, mode);
        } catch (IllegalArgumentException e) {
            throw new Problem(400, "Invalid event type", e.getMessage());
        }
        boolean created = registered.version() > before;
        if (created) {
            LOG.atInfo().setMessage("schema registered").addKeyValue("type", type)
                    .addKeyValue("version", registered.version()).addKeyValue("mode", mode)
                    .addKeyValue("token_id", principal.tokenId()).log();
            ctx.header("Location", registered.uri().toString());
        }
        ObjectNode body = Json.object();
        body.put("type", type);
        body.put("version", registered.version());
        body.put("uri", registered.uri().toString());
        body.put("created", created);
        body.put("compatibility", mode.name());
        Json.respond(ctx, created ? 201 : 200, body);
    }

    private Compatibility mode(String text) {
        if (text == null || text.isBlank()) {
            return defaultMode;
        }
        try {
            return Compatibility.valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new Problem(400, "Invalid query", "compatibility must be BACKWARD, FORWARD, FULL or NONE, not "
                    + text);
        }
    }
}
