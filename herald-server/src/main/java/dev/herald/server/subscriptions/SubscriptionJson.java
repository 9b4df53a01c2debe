package dev.herald.server.subscriptions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.event.JsonEvents;
import dev.herald.event.Violation;
import dev.herald.server.http.Json;
import dev.herald.server.http.Problem;
import dev.herald.server.webhook.WebhookSecret;
import dev.herald.server.wire.DeadLetterBody;
import dev.herald.server.wire.HealthBody;
import dev.herald.server.wire.SecretRotationBody;
import dev.herald.server.wire.StatsBody;
import dev.herald.server.wire.SubscriptionBody;
import dev.herald.transport.DeadLetter;
import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionStats;
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
 * The subscriptions API's JSON: subscriptions and dead letters rendered as the shared wire records,
 * and the small request bodies (seek, rotate-secret, acks, nacks, redrive, discard) read with a
 * violation per broken rule. Subscription definitions themselves are read by {@link SubscriptionRequests}.
 */
final class SubscriptionJson {

    /** At most this many ids in one ack, nack, redrive or discard. */
    static final int MAX_IDS = 1000;

    private SubscriptionJson() {
    }

    // ---------------------------------------------------------------- rendering

    /**
     * A subscription as the API shows it; {@code secret} only on create and rotation, every header
     * value hidden unless {@code owner}.
     */
    static SubscriptionBody render(SubscriptionManager.Managed managed, PullStreams pulls, Instant now,
                                   WebhookSecret secret, boolean owner) {
        SubscriptionRecord record = managed.record();
        SubscriptionDefinition definition = record.definition();
        SubscriptionStats stats = managed.stats();
        boolean pull = definition.protocol() == Protocol.PULL;
        StatsBody statsBody = new StatsBody(stats.backlog(), stats.inFlight(), stats.deadLetters(),
                stats.droppedByRetention(),
                pull ? pulls.connected(record.id()) : null, pull ? pulls.outstanding(record.id()) : null);
        HealthBody health = null;
        SecretRotationBody rotation = null;
        if (!pull) {
            SubscriptionRecord.Health h = managed.health();
            health = new HealthBody(h.consecutiveFailures(), text(h.failingSince()), h.lastError(),
                    text(h.lastFailureAt()), text(h.lastSuccessAt()));
            if (record.previousSecretExpiresAt() != null && now.isBefore(record.previousSecretExpiresAt())) {
                rotation = new SecretRotationBody(text(record.previousSecretExpiresAt()));
            }
        }
        return (owner ? definition.toBody(false) : definition.toForeignBody()).withState(record.project(), record.status().jsonName(),
                record.statusReason(), text(record.statusChangedAt()), statsBody,
                pull ? "/v1/subscriptions/" + record.id() + "/stream" : null, health, rotation,
                text(record.createdAt()), text(record.updatedAt()), record.createdBy(),
                secret == null ? null : secret.text());
    }

    /** A dead letter, with its whole event when asked. */
    static DeadLetterBody render(DeadLetter letter, boolean withEvent) {
        JsonNode event = null;
        if (withEvent) {
            try {
                event = Json.MAPPER.readTree(JsonEvents.write(letter.event()));
            } catch (IOException e) {
                throw new IllegalStateException("cannot render dead letter " + letter.id(), e);
            }
        }
        return new DeadLetterBody(letter.id(), letter.event().getId(), letter.event().getType(),
                letter.event().getSource().toString(), letter.event().getSubject(), letter.attempts(),
                letter.lastError(), text(letter.firstAttemptAt()), text(letter.deadAt()), event);
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    // ---------------------------------------------------------------- requests

    /**
     * The request body as JSON; an empty body is an empty object.
     *
     * @throws Problem 415 when it is not JSON, 400 naming the line and column when it is malformed
     */
    static JsonNode body(Context ctx) {
        String contentType = ctx.contentType();
        if (contentType != null && !contentType.toLowerCase(Locale.ROOT).contains("json")) {
            throw new Problem(415, "Unsupported media type", "send application/json (got " + contentType + ")");
        }
        byte[] bytes = ctx.bodyAsBytes();
        if (bytes.length == 0) {
            return JsonNodeFactory.instance.objectNode();
        }
        try {
            JsonNode node = Json.MAPPER.readTree(bytes);
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

    /** A PATCH body applied to the current definition (RFC 7396 JSON merge patch). */
    static JsonNode patched(ObjectNode current, JsonNode patch) {
        if (!patch.isObject()) {
            throw SubscriptionRequests.invalid(List.of(new Violation("body", "must be a JSON merge patch object "
                    + "(RFC 7396)", patch.getNodeType().toString().toLowerCase(Locale.ROOT))));
        }
        return mergePatch(current, patch);
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

    /** The secret a rotate-secret body gives: empty for none (then one is generated). */
    static Optional<WebhookSecret> rotationSecret(Context ctx) {
        if (ctx.bodyAsBytes().length == 0) {
            return Optional.empty();
        }
        JsonNode body = body(ctx);
        JsonNode secret = body.get("secret");
        if (!body.isObject() || (body.size() > 0 && secret == null) || body.size() > 1) {
            throw SubscriptionRequests.invalid(List.of(new Violation("body", "must be empty or "
                    + "{\"secret\": \"whsec_…\"}", null)));
        }
        if (secret == null || secret.isNull()) {
            return Optional.empty();
        }
        try {
            return Optional.of(WebhookSecret.parse(secret.asText()));
        } catch (IllegalArgumentException e) {
            throw SubscriptionRequests.invalid(List.of(new Violation("secret", e.getMessage(), null)));
        }
    }

    /** Where a seek body moves the subscription. */
    static StartPosition seekPosition(JsonNode body) {
        JsonNode to = body.get("to");
        if (to != null && to.isTextual()) {
            String text = to.asText();
            if (text.equals("latest") || text.equals("earliest")) {
                return StartPosition.parse(text);
            }
            try {
                return StartPosition.at(OffsetDateTime.parse(text).toInstant());
            } catch (DateTimeParseException e) {
                // reported below
            }
        }
        throw SubscriptionRequests.invalid(List.of(new Violation("to", "must be \"earliest\", \"latest\" or an "
                + "RFC 3339 timestamp such as 2026-11-01T00:00:00Z", to == null ? null : to.toString())));
    }

    /** An ack ({@code ids}) or nack ({@code ids}, optional {@code delay}) body. */
    record Settle(List<String> ids, Duration delay) {
    }

    static Settle settle(JsonNode body, boolean ack) {
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
        return new Settle(ids, delay);
    }

    /**
     * The dead letters a redrive or discard body names: {@code ids}, or {@code "all": true} for
     * every one (then {@code all} supplies them).
     */
    static List<String> deadLetterIds(JsonNode body, java.util.function.Supplier<List<String>> all) {
        List<Violation> violations = new ArrayList<>();
        List<String> ids;
        if (body.path("all").asBoolean(false)) {
            if (body.has("ids")) {
                violations.add(new Violation("ids", "must not be given with \"all\": true", null));
            }
            ids = all.get();
        } else {
            ids = ids(body, violations);
            if (violations.size() == 1 && !body.has("ids")) {
                violations.set(0, Violation.missing("ids", "is required (or \"all\": true)"));
            }
        }
        if (!violations.isEmpty()) {
            throw SubscriptionRequests.invalid(violations);
        }
        return ids;
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
}
