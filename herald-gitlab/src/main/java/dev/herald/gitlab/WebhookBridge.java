package dev.herald.gitlab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.event.HeraldAttributes;
import dev.herald.event.InvalidEventException;
import dev.herald.event.Violation;
import dev.herald.schema.SchemaRegistry;
import dev.herald.server.api.Intake;
import dev.herald.server.auth.TokenStore;
import dev.herald.server.config.ServerConfig;
import dev.herald.server.http.ApiModule;
import dev.herald.server.http.Bodies;
import dev.herald.server.http.Json;
import dev.herald.server.http.Problem;
import dev.herald.server.http.ProblemRendering;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.jackson.JsonCloudEventData;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.net.URI;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/gitlab/webhooks}: GitLab's project, group and system hooks in, fat events out.
 *
 * <p>A request is authenticated by its {@code X-Gitlab-Token}, which must be a Herald token registered
 * for GitLab ({@link GitLabSources}): found and compared in constant time by the token store, it names
 * the instance it belongs to, and {@code X-Gitlab-Instance} (when sent) must be that instance. Its
 * {@code X-Gitlab-Event} and the payload's {@code object_kind} or {@code event_name} select the
 * {@link HookKinds kind}; the payload becomes the data of one event whose {@code id} is
 * {@code X-Gitlab-Event-UUID}, so a redelivered hook is a duplicate. The event is then stored through
 * the server's {@link Intake} (deduplicated, schema-checked, durable) before the 202.
 *
 * <p>Refusals store nothing: 401 for a missing or wrong token, 422 for a hook kind the bridge does not
 * know, 400 for a body that is not a JSON object or lacks the event UUID, 400 with the schema's
 * violations for a payload that fails its type's schema.
 */
final class WebhookBridge implements ApiModule {

    static final String PATH = "/v1/gitlab/webhooks";
    private static final Logger LOG = LoggerFactory.getLogger(WebhookBridge.class);

    private final GitLabSources sources;
    private final Intake intake;
    private final ServerConfig config;
    private final SchemaRegistry schemas;
    private final Clock clock;

    WebhookBridge(TokenStore tokens, Intake intake, SchemaRegistry schemas, ServerConfig config, Clock clock) {
        this.sources = new GitLabSources(tokens);
        this.schemas = schemas;
        this.intake = intake;
        this.config = config;
        this.clock = clock;
    }

    @Override
    public void routes(RoutesConfig routes) {
        routes.post(PATH, this::receive);
    }

    @Override
    public boolean authenticatesItself(Context ctx) {
        return ctx.path().equals(PATH);
    }

    private void receive(Context ctx) throws InterruptedException {
        GitLabSources.Sender sender = sources.authenticate(ctx.header("X-Gitlab-Token"),
                ctx.header("X-Gitlab-Instance"));
        String header = ctx.header("X-Gitlab-Event");
        if (header == null || !HookKinds.knowsHeader(header)) {
            throw new Problem(422, "Unknown GitLab hook kind", "X-Gitlab-Event " + (header == null ? "is missing"
                    : "'" + header + "' is not a hook kind Herald maps"), List.of(new Violation(
                    "X-Gitlab-Event", "must name a GitLab hook kind (Push Hook, Issue Hook, …, System Hook)", header)));
        }
        String uuid = ctx.header("X-Gitlab-Event-UUID");
        if (uuid == null || uuid.isBlank()) {
            throw new Problem(400, "Missing event UUID", "GitLab sends X-Gitlab-Event-UUID with every hook; it "
                    + "becomes the event id, so a redelivery is stored once",
                    List.of(Violation.missing("X-Gitlab-Event-UUID", "header is required")));
        }
        ObjectNode payload = Json.readObject(Bodies.read(ctx, config.get(ServerConfig.MAX_EVENT_BYTES), "a GitLab webhook"),
                "a GitLab webhook");
        HookKind kind = HookKinds.of(header, payload).orElseThrow(() -> unknownKind(header, payload));
        if (!sender.token().principal().canPublish(kind.type())) {
            throw new Problem(403, "Forbidden", "the token of source " + sender.instance() + " may not publish "
                    + kind.type() + "; register sources with the scope " + GitLabSources.SCOPE);
        }
        CloudEvent event = toEvent(kind, sender.instance(), uuid.strip(), payload);
        Intake.Outcome outcome;
        try {
            outcome = intake.publish(List.of(event), false);
        } catch (InvalidEventException e) {
            throw ProblemRendering.invalidEvent(e.violations());
        }
        boolean duplicate = !outcome.duplicates().isEmpty();
        LOG.atInfo().setMessage("gitlab hook received").addKeyValue("kind", kind.name())
                .addKeyValue("event_id", event.getId()).addKeyValue("type", event.getType())
                .addKeyValue("duplicate", duplicate).log();
        ObjectNode body = Json.object();
        body.put("id", event.getId());
        body.put("type", event.getType());
        body.put("duplicate", duplicate);
        Json.respond(ctx, 202, body);
    }

    private static Problem unknownKind(String header, JsonNode payload) {
        String kind = HookKind.text(payload, "/object_kind").or(() -> HookKind.text(payload, "/event_name"))
                .orElse("none");
        return new Problem(422, "Unknown GitLab hook kind", "a " + header + " with object_kind/event_name '"
                + kind + "' is not a hook kind Herald maps", List.of(new Violation("object_kind",
                "must be a kind " + header + " carries", kind)));
    }

    /** The fat event for one hook: the whole payload as data, the envelope from the table. */
    CloudEvent toEvent(HookKind kind, String instance, String uuid, ObjectNode payload) {
        CloudEventBuilder builder = CloudEventBuilder.v1()
                .withId(uuid)
                .withSource(URI.create(instance))
                .withType(kind.type())
                .withTime(time(kind, payload))
                .withData("application/json", JsonCloudEventData.wrap(payload));
        schemas.currentSchema(kind.type()).ifPresent(builder::withDataSchema);
        kind.subject().apply(payload).ifPresent(builder::withSubject);
        kind.projectId().flatMap(p -> HookKind.text(payload, p))
                .ifPresent(id -> builder.withExtension(HeraldAttributes.PROJECT, "gid://gitlab/Project/" + id));
        Optional<String> user = kind.userId().flatMap(p -> HookKind.text(payload, p));
        builder.withExtension(HeraldAttributes.AUTHTYPE, user.isPresent() ? "app_user" : "system");
        user.ifPresent(id -> builder.withExtension(HeraldAttributes.AUTHID, "gid://gitlab/User/" + id));
        kind.action().flatMap(p -> HookKind.text(payload, p)).ifPresent(a -> builder.withExtension(GitLabAttributes.ACTION, a));
        kind.namespace().flatMap(p -> HookKind.text(payload, p))
                .ifPresent(n -> builder.withExtension(GitLabAttributes.NAMESPACE, n));
        return builder.build();
    }

    /** The object's own newest timestamp; for a push, its newest commit's; else the time of receipt. */
    private OffsetDateTime time(HookKind kind, JsonNode payload) {
        List<String> pointers = kind.times();
        JsonNode commits = payload.path("commits");
        if (kind.type().equals("com.gitlab.push") && commits.isArray() && !commits.isEmpty()) {
            pointers = List.of("/commits/" + (commits.size() - 1) + "/timestamp");
        }
        for (String pointer : pointers) {
            Optional<OffsetDateTime> time = HookKind.text(payload, pointer).flatMap(GitLabTimes::parse);
            if (time.isPresent()) {
                return time.get();
            }
        }
        return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    }
}
