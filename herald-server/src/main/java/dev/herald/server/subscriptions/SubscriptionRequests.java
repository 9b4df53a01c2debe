package dev.herald.server.subscriptions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.herald.event.Violation;
import dev.herald.filter.Filter;
import dev.herald.filter.InvalidFilterException;
import dev.herald.filter.SqlLimits;
import dev.herald.server.webhook.ContentMode;
import dev.herald.server.webhook.SinkRefusedException;
import dev.herald.server.webhook.SsrfGuard;
import dev.herald.server.webhook.WebhookSecret;
import dev.herald.transport.Capability;
import dev.herald.transport.StartPosition;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a subscription request body into a {@link SubscriptionDefinition}, collecting every broken
 * rule as a {@link Violation} that names the field ({@code delivery.backoff.min},
 * {@code filters[1].sql}, {@code protocolsettings.headers.Host}) and the rule, and refusing the body
 * with one {@link SubscriptionException.Invalid} listing them all.
 */
final class SubscriptionRequests {

    /** Why a body is read. */
    enum Mode {
        /** A new subscription. */
        CREATE,
        /** A full replacement of an existing one (PUT, or PATCH after merging). */
        REPLACE,
        /** Reading back what was stored: no DNS lookups, no capability checks. */
        RESTORE
    }

    /** A read body: the definition and the secret given with it, if any. */
    record Parsed(SubscriptionDefinition definition, Optional<WebhookSecret> secret) {
    }

    static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern TYPE = Pattern.compile("[^\\s*]+\\*?|\\*");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Set<String> FIELDS = Set.of("id", "source", "types", "config", "filters", "sink",
            "protocol", "protocolsettings", "delivery", "secret", "ephemeral");
    /** Fields the API shows but ignores on input, so that a GET body can be PUT back. */
    private static final Set<String> READ_ONLY = Set.of("status", "statusReason", "statusChangedAt", "stats",
            "health", "project", "createdAt", "updatedAt", "createdBy", "secretRotation", "stream");
    private static final Set<String> RESERVED_HEADERS = Set.of("host", "content-length", "content-type",
            "connection", "transfer-encoding", "expect", "upgrade", "te", "trailer", "keep-alive",
            "webhook-id", "webhook-timestamp", "webhook-signature");
    private static final int MAX_TYPES = 100;
    private static final int MAX_HEADERS = 32;
    private static final int MAX_HEADER_VALUE = 4096;
    private static final int MAX_ATTEMPTS = 1000;
    /** The largest {@code delivery.concurrency}: also the webhook connection pool's size per sink. */
    static final int MAX_CONCURRENCY = 256;
    private static final Duration MAX_BACKOFF = Duration.ofDays(1);
    private static final Duration MAX_DELAY = Duration.ofDays(7);
    private static final Duration MIN_ACK_DEADLINE = Duration.ofSeconds(1);
    private static final Duration MAX_ACK_DEADLINE = Duration.ofMinutes(10);

    private final SubscriptionSettings settings;
    private final Set<Capability> capabilities;
    private final String transportName;
    private final SsrfGuard guard;

    SubscriptionRequests(SubscriptionSettings settings, Set<Capability> capabilities, String transportName,
                         SsrfGuard guard) {
        this.settings = settings;
        this.capabilities = capabilities;
        this.transportName = transportName;
        this.guard = guard;
    }

    /**
     * Reads a body.
     *
     * @param existing the subscription being replaced (REPLACE) or null
     * @param pathId   the id in the URL (REPLACE) or null
     * @throws SubscriptionException.Invalid with every violation
     */
    Parsed read(JsonNode body, Mode mode, SubscriptionDefinition existing, String pathId) {
        List<Violation> violations = new ArrayList<>();
        if (body == null || !body.isObject()) {
            throw invalid(List.of(new Violation("body", "must be a JSON object", body == null ? null
                    : body.getNodeType().toString().toLowerCase(Locale.ROOT))));
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name) && !READ_ONLY.contains(name)) {
                violations.add(new Violation(name, "unknown field; a subscription has " + String.join(", ",
                        List.of("id", "source", "types", "config", "filters", "sink", "protocol",
                                "protocolsettings", "delivery", "secret", "ephemeral")), null));
            }
        }

        String id = readId(body, mode, existing, pathId, violations);
        String source = optionalText(body, "source", violations);
        List<String> types = readTypes(body.get("types"), violations);
        Map<String, String> config = readConfig(body.get("config"), existing, violations);
        ArrayNode filtersJson = JsonNodeFactory.instance.arrayNode();
        // A stored filter was accepted once: lowering a limit must not make it unreadable.
        Filter filter = readFilters(body.get("filters"), filtersJson,
                mode == Mode.RESTORE ? SqlLimits.NONE : settings.sqlLimits(), violations);
        Protocol protocol = readProtocol(body, existing, violations);
        URI sink = readSink(body.get("sink"), protocol, mode, violations);
        boolean keepsOrigin = existing != null && (sink == null || existing.sink() == null
                || sameOrigin(existing.sink(), sink));
        HttpSettings http = readHttpSettings(body.get("protocolsettings"), protocol, existing, keepsOrigin,
                violations);
        DeliverySpec delivery = readDelivery(body.get("delivery"), protocol, mode, existing, violations);
        Optional<WebhookSecret> secret = readSecret(body.get("secret"), protocol, mode, violations);
        boolean ephemeral = readEphemeral(body.get("ephemeral"), protocol, violations);

        if (!violations.isEmpty()) {
            throw invalid(violations);
        }
        return new Parsed(new SubscriptionDefinition(id, source, types, config, filtersJson, filter, sink,
                protocol == null ? Protocol.HTTP : protocol, http, delivery, ephemeral), secret);
    }

    static SubscriptionException.Invalid invalid(List<Violation> violations) {
        return new SubscriptionException.Invalid(violations);
    }

    private String readId(JsonNode body, Mode mode, SubscriptionDefinition existing, String pathId,
                          List<Violation> violations) {
        JsonNode node = body.get("id");
        if (mode == Mode.REPLACE) {
            if (node != null && !node.isNull() && !node.asText().equals(pathId)) {
                violations.add(new Violation("id", "cannot be changed (the URL names " + pathId + ")",
                        node.asText()));
            }
            return existing.id();
        }
        if (node == null || node.isNull()) {
            if (mode == Mode.RESTORE) {
                violations.add(Violation.missing("id", "is required"));
            }
            return SubscriptionIds.next();
        }
        if (!node.isTextual() || !ID.matcher(node.asText()).matches()) {
            violations.add(new Violation("id", "must be 1-128 characters of A-Z, a-z, 0-9, '.', '_' or '-', "
                    + "starting with a letter or digit", node.asText()));
            return null;
        }
        return node.asText();
    }

    private static String optionalText(JsonNode body, String field, List<Violation> violations) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            violations.add(new Violation(field, "must be a non-empty string", node.toString()));
            return null;
        }
        return node.asText();
    }

    private static List<String> readTypes(JsonNode node, List<Violation> violations) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            violations.add(new Violation("types", "must be an array of event types, e.g. [\"ci.pipeline.created\", "
                    + "\"vulnerabilities.*\"]", node.toString()));
            return List.of();
        }
        if (node.size() > MAX_TYPES) {
            violations.add(new Violation("types", "at most " + MAX_TYPES + " types", Integer.toString(node.size())));
        }
        Set<String> types = new LinkedHashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode type = node.get(i);
            if (!type.isTextual() || !TYPE.matcher(type.asText()).matches()) {
                violations.add(new Violation("types[" + i + "]", "must be an event type, or a prefix ending in * "
                        + "(no spaces, * only at the end)", type.toString()));
            } else {
                types.add(type.asText());
            }
        }
        return List.copyOf(types);
    }

    private static Map<String, String> readConfig(JsonNode node, SubscriptionDefinition existing,
                                                  List<Violation> violations) {
        Map<String, String> config = new LinkedHashMap<>();
        if (node != null && !node.isNull()) {
            if (!node.isObject()) {
                violations.add(new Violation("config", "must be an object of string settings", node.toString()));
            } else {
                for (Map.Entry<String, JsonNode> entry : node.properties()) {
                    String where = "config." + entry.getKey();
                    if (!entry.getKey().equals("topic")) {
                        violations.add(new Violation(where, "unknown setting; Herald knows: topic", null));
                    } else if (!entry.getValue().isTextual() || !TOPIC.matcher(entry.getValue().asText()).matches()) {
                        violations.add(new Violation(where, "must be a topic name (A-Z, a-z, 0-9, '.', '_', '-')",
                                entry.getValue().toString()));
                    } else {
                        config.put("topic", entry.getValue().asText());
                    }
                }
            }
        }
        if (existing != null && !java.util.Objects.equals(existing.config().get("topic"), config.get("topic"))) {
            violations.add(new Violation("config.topic", "cannot be changed; create a new subscription",
                    config.get("topic")));
        }
        return config;
    }

    private static Filter readFilters(JsonNode node, ArrayNode out, SqlLimits limits, List<Violation> violations) {
        if (node == null || node.isNull()) {
            return Filter.ALL_EVENTS;
        }
        if (!node.isArray()) {
            violations.add(new Violation("filters", "must be an array of filter objects such as "
                    + "[{\"prefix\": {\"type\": \"ci.\"}}, {\"sql\": \"subject LIKE 'gid://gitlab/Project/%'\"}]",
                    node.toString()));
            return Filter.ALL_EVENTS;
        }
        try {
            Filter filter = Filter.fromJson(node, limits);
            out.addAll((ArrayNode) node.deepCopy());
            return filter;
        } catch (InvalidFilterException e) {
            String message = e.getMessage();
            int colon = message.indexOf(": ");
            String where = colon < 0 ? "filters" : message.substring(0, colon);
            String rule = colon < 0 ? message : message.substring(colon + 2);
            violations.add(new Violation(where, rule, null));
            return Filter.ALL_EVENTS;
        }
    }

    private static Protocol readProtocol(JsonNode body, SubscriptionDefinition existing, List<Violation> violations) {
        JsonNode node = body.get("protocol");
        Protocol protocol;
        if (node == null || node.isNull()) {
            protocol = existing != null ? existing.protocol()
                    : body.hasNonNull("sink") ? Protocol.HTTP : null;
            if (protocol == null) {
                violations.add(Violation.missing("sink", "is required: the webhook URL (or set \"protocol\": \"PULL\" "
                        + "to read the events from /v1/subscriptions/{id}/stream)"));
            }
        } else if (!node.isTextual()) {
            violations.add(new Violation("protocol", "must be \"HTTP\" or \"PULL\"", node.toString()));
            return null;
        } else {
            String name = node.asText().toUpperCase(Locale.ROOT);
            protocol = switch (name) {
                case "HTTP", "HTTPS", "WEBHOOK" -> Protocol.HTTP;
                case "PULL", "SSE" -> Protocol.PULL;
                default -> {
                    violations.add(new Violation("protocol", "not supported by Herald; use HTTP (webhook) or PULL "
                            + "(Server-Sent Events streaming pull)", node.asText()));
                    yield null;
                }
            };
        }
        if (existing != null && protocol != null && protocol != existing.protocol()) {
            violations.add(new Violation("protocol", "cannot be changed from " + existing.protocol()
                    + "; create a new subscription", protocol.name()));
        }
        return protocol;
    }

    private URI readSink(JsonNode node, Protocol protocol, Mode mode, List<Violation> violations) {
        if (protocol == Protocol.PULL) {
            if (node != null && !node.isNull()) {
                violations.add(new Violation("sink", "must be absent for a PULL subscription: clients read "
                        + "/v1/subscriptions/{id}/stream", node.asText()));
            }
            return null;
        }
        if (protocol == null) {
            return null;
        }
        if (node == null || node.isNull()) {
            violations.add(Violation.missing("sink", "is required for an HTTP subscription: the webhook URL"));
            return null;
        }
        if (!node.isTextual()) {
            violations.add(new Violation("sink", "must be an absolute http(s) URL", node.toString()));
            return null;
        }
        String text = node.asText();
        URI sink;
        try {
            sink = new URI(text);
        } catch (URISyntaxException e) {
            violations.add(new Violation("sink", "must be an absolute http(s) URL: " + e.getReason()
                    + (e.getIndex() >= 0 ? " at index " + e.getIndex() : ""), text));
            return null;
        }
        String scheme = sink.getScheme() == null ? "" : sink.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            violations.add(new Violation("sink", "must be an absolute URL with the http or https scheme", text));
            return null;
        }
        if (scheme.equals("http") && settings.requireHttps()) {
            violations.add(new Violation("sink", "must use https: this server refuses plain http sinks", text));
            return null;
        }
        if (sink.getHost() == null || sink.getHost().isEmpty()) {
            violations.add(new Violation("sink", "must name a host (a DNS name of letters, digits, '-' and '.', "
                    + "or an IP address)", text));
            return null;
        }
        if (sink.getRawUserInfo() != null) {
            violations.add(new Violation("sink", "must not contain credentials; send them in "
                    + "protocolsettings.headers (e.g. Authorization)", sink.getHost()));
            return null;
        }
        if (sink.getRawFragment() != null) {
            violations.add(new Violation("sink", "must not have a #fragment", text));
            return null;
        }
        if (mode != Mode.RESTORE) {
            try {
                guard.check(sink);
            } catch (SinkRefusedException e) {
                violations.add(new Violation("sink", "refused: " + e.getMessage(), text));
                return null;
            }
        }
        return sink;
    }

    /**
     * Whether two sinks share an origin (scheme, host, port): stored credential headers go only
     * where they went before.
     */
    static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost() != null && b.getHost() != null
                && a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
    }

    private static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private static HttpSettings readHttpSettings(JsonNode node, Protocol protocol, SubscriptionDefinition existing,
                                                 boolean keepsOrigin, List<Violation> violations) {
        if (node == null || node.isNull()) {
            return HttpSettings.DEFAULT;
        }
        if (!node.isObject()) {
            violations.add(new Violation("protocolsettings", "must be an object", node.toString()));
            return HttpSettings.DEFAULT;
        }
        if (protocol == Protocol.PULL) {
            if (!node.isEmpty()) {
                violations.add(new Violation("protocolsettings", "a PULL subscription has no protocol settings",
                        node.toString()));
            }
            return HttpSettings.DEFAULT;
        }
        String method = "POST";
        Map<String, String> headers = new LinkedHashMap<>();
        ContentMode mode = ContentMode.BINARY;
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            String where = "protocolsettings." + field.getKey();
            JsonNode value = field.getValue();
            switch (field.getKey()) {
                case "method" -> {
                    String m = value.asText().toUpperCase(Locale.ROOT);
                    if (!value.isTextual() || !(m.equals("POST") || m.equals("PUT"))) {
                        violations.add(new Violation(where, "must be POST or PUT", value.toString()));
                    } else {
                        method = m;
                    }
                }
                case "contentmode" -> {
                    String m = value.asText().toLowerCase(Locale.ROOT);
                    if (!value.isTextual() || !(m.equals("binary") || m.equals("structured"))) {
                        violations.add(new Violation(where, "must be \"binary\" (ce-* headers, body = data) or "
                                + "\"structured\" (the event as application/cloudevents+json)", value.toString()));
                    } else {
                        mode = ContentMode.valueOf(m.toUpperCase(Locale.ROOT));
                    }
                }
                case "headers" -> readHeaders(value, existing, keepsOrigin, headers, violations);
                default -> violations.add(new Violation(where, "unknown setting; HTTP subscriptions have method, "
                        + "headers and contentmode", null));
            }
        }
        return new HttpSettings(method, headers, mode);
    }

    private static void readHeaders(JsonNode node, SubscriptionDefinition existing, boolean keepsOrigin,
                                    Map<String, String> headers, List<Violation> violations) {
        if (!node.isObject()) {
            violations.add(new Violation("protocolsettings.headers", "must be an object of header names to "
                    + "string values", node.toString()));
            return;
        }
        if (node.size() > MAX_HEADERS) {
            violations.add(new Violation("protocolsettings.headers", "at most " + MAX_HEADERS + " headers",
                    Integer.toString(node.size())));
        }
        Set<String> seen = new LinkedHashSet<>();
        for (Map.Entry<String, JsonNode> header : node.properties()) {
            String name = header.getKey();
            String lower = name.toLowerCase(Locale.ROOT);
            String where = "protocolsettings.headers." + name;
            JsonNode value = header.getValue();
            if (!TOKEN.matcher(name).matches()) {
                violations.add(new Violation(where, "is not a valid HTTP header name", name));
            } else if (RESERVED_HEADERS.contains(lower) || lower.startsWith("ce-") || lower.startsWith("proxy-")) {
                violations.add(new Violation(where, "is set by Herald and cannot be configured (reserved: Host, "
                        + "Content-*, Connection, webhook-*, ce-*, …)", name));
            } else if (!seen.add(lower)) {
                violations.add(new Violation(where, "is given twice (header names are case-insensitive)", name));
            } else if (!value.isTextual()) {
                violations.add(new Violation(where, "must be a string", value.toString()));
            } else if (value.asText().length() > MAX_HEADER_VALUE || value.asText().chars()
                    .anyMatch(c -> c == '\r' || c == '\n' || c == 0 || c > 0xFF)) {
                violations.add(new Violation(where, "must be at most " + MAX_HEADER_VALUE + " characters of "
                        + "Latin-1 without line breaks", null));
            } else if (value.asText().equals(HttpSettings.REDACTED)) {
                String stored = existing == null ? null : existing.http().headers().entrySet().stream()
                        .filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).findFirst()
                        .orElse(null);
                if (stored != null && !keepsOrigin) {
                    violations.add(new Violation(where, "must be given again: the sink moves to another origin, "
                            + "and stored header values are never sent to a new origin", null));
                } else if (stored == null) {
                    violations.add(new Violation(where, "\"" + HttpSettings.REDACTED + "\" keeps the stored value, "
                            + "but this header has none; give the value", null));
                } else {
                    headers.put(name, stored);
                }
            } else {
                headers.put(name, value.asText());
            }
        }
    }

    private DeliverySpec readDelivery(JsonNode node, Protocol protocol, Mode mode, SubscriptionDefinition existing,
                                      List<Violation> violations) {
        var defaults = settings.defaultPolicy();
        int maxAttempts = defaults.maxAttempts();
        Duration backoffMin = defaults.backoff().min();
        Duration backoffMax = defaults.backoff().max();
        boolean ordered = defaults.orderedByKey();
        int concurrency = defaults.concurrency();
        Duration delay = Duration.ZERO;
        StartPosition startAt = StartPosition.LATEST;
        Duration ackDeadline = settings.pullAckDeadline();
        if (node != null && !node.isNull()) {
            if (!node.isObject()) {
                violations.add(new Violation("delivery", "must be an object", node.toString()));
            } else {
                for (Map.Entry<String, JsonNode> field : node.properties()) {
                    String where = "delivery." + field.getKey();
                    JsonNode value = field.getValue();
                    switch (field.getKey()) {
                        case "maxAttempts" -> maxAttempts = integer(value, where, 1, MAX_ATTEMPTS, maxAttempts,
                                violations);
                        case "concurrency" -> concurrency = integer(value, where, 1, MAX_CONCURRENCY, concurrency,
                                violations);
                        case "ordered" -> {
                            if (!value.isBoolean()) {
                                violations.add(new Violation(where, "must be true or false", value.toString()));
                            } else {
                                ordered = value.asBoolean();
                            }
                        }
                        case "delay" -> delay = duration(value, where, Duration.ZERO, MAX_DELAY, delay, violations);
                        case "ackDeadline" -> {
                            if (protocol == Protocol.HTTP) {
                                violations.add(new Violation(where, "applies to PULL subscriptions only", null));
                            } else {
                                ackDeadline = duration(value, where, MIN_ACK_DEADLINE, MAX_ACK_DEADLINE, ackDeadline,
                                        violations);
                            }
                        }
                        case "startAt" -> startAt = startPosition(value, where, startAt, violations);
                        case "backoff" -> {
                            if (!value.isObject()) {
                                violations.add(new Violation(where, "must be an object {\"min\": \"1s\", \"max\": "
                                        + "\"5m\"}", value.toString()));
                                continue;
                            }
                            for (Map.Entry<String, JsonNode> bound : value.properties()) {
                                String at = where + "." + bound.getKey();
                                switch (bound.getKey()) {
                                    case "min" -> backoffMin = duration(bound.getValue(), at, Duration.ZERO,
                                            MAX_BACKOFF, backoffMin, violations);
                                    case "max" -> backoffMax = duration(bound.getValue(), at, Duration.ZERO,
                                            MAX_BACKOFF, backoffMax, violations);
                                    default -> violations.add(new Violation(at, "unknown setting; backoff has min "
                                            + "and max", null));
                                }
                            }
                        }
                        default -> violations.add(new Violation(where, "unknown setting; delivery has maxAttempts, "
                                + "backoff, ordered, concurrency, delay, startAt and ackDeadline", null));
                    }
                }
            }
        }
        if (backoffMax.compareTo(backoffMin) < 0) {
            violations.add(new Violation("delivery.backoff.max", "must not be less than delivery.backoff.min ("
                    + Durations.format(backoffMin) + ")", Durations.format(backoffMax)));
            backoffMax = backoffMin;
        }
        if (mode != Mode.RESTORE) {
            if (ordered && !capabilities.contains(Capability.ORDERING)) {
                violations.add(new Violation("delivery.ordered", "the " + transportName + " transport does not "
                        + "offer per-key ordering", "true"));
            }
            if (!(startAt instanceof StartPosition.Latest) && !capabilities.contains(Capability.REPLAY)
                    && mode == Mode.CREATE) {
                violations.add(new Violation("delivery.startAt", "the " + transportName + " transport cannot replay "
                        + "past events; use latest", startAt.toString()));
            }
        }
        if (mode == Mode.REPLACE) {
            // The position is the transport's; the start only applied at creation (rewind with POST …/seek).
            startAt = existing.delivery().startAt();
        }
        return new DeliverySpec(maxAttempts, backoffMin, backoffMax, ordered, concurrency, delay, startAt,
                ackDeadline);
    }

    private static int integer(JsonNode value, String where, int min, int max, int fallback,
                               List<Violation> violations) {
        if (!value.isIntegralNumber() || value.asLong() < min || value.asLong() > max) {
            violations.add(new Violation(where, "must be an integer from " + min + " to " + max, value.toString()));
            return fallback;
        }
        return value.asInt();
    }

    private static Duration duration(JsonNode value, String where, Duration min, Duration max, Duration fallback,
                                     List<Violation> violations) {
        if (!value.isTextual()) {
            violations.add(new Violation(where, "must be a duration string such as \"PT10S\", \"500ms\", \"10s\", "
                    + "\"5m\", \"2h\" or \"1d\"", value.toString()));
            return fallback;
        }
        Duration parsed;
        try {
            parsed = Durations.parse(value.asText());
        } catch (IllegalArgumentException e) {
            violations.add(new Violation(where, e.getMessage(), value.asText()));
            return fallback;
        }
        if (parsed.compareTo(min) < 0 || parsed.compareTo(max) > 0) {
            violations.add(new Violation(where, "must be from " + Durations.format(min) + " to "
                    + Durations.format(max), value.asText()));
            return fallback;
        }
        return parsed;
    }

    private static StartPosition startPosition(JsonNode value, String where, StartPosition fallback,
                                               List<Violation> violations) {
        if (value.isTextual()) {
            String text = value.asText();
            if (text.equals("latest") || text.equals("earliest")) {
                return StartPosition.parse(text);
            }
            try {
                return StartPosition.at(OffsetDateTime.parse(text).toInstant());
            } catch (DateTimeParseException e) {
                // fall through
            }
        }
        violations.add(new Violation(where, "must be \"latest\", \"earliest\" or an RFC 3339 timestamp such as "
                + "2026-11-01T00:00:00Z", value.toString()));
        return fallback;
    }

    private static Optional<WebhookSecret> readSecret(JsonNode node, Protocol protocol, Mode mode,
                                                      List<Violation> violations) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (mode == Mode.REPLACE) {
            violations.add(new Violation("secret", "cannot be changed here; use POST "
                    + "/v1/subscriptions/{id}/rotate-secret", null));
            return Optional.empty();
        }
        if (protocol == Protocol.PULL) {
            violations.add(new Violation("secret", "applies to HTTP subscriptions only", null));
            return Optional.empty();
        }
        if (!node.isTextual()) {
            violations.add(new Violation("secret", "must be a string whsec_<base64>", null));
            return Optional.empty();
        }
        try {
            return Optional.of(WebhookSecret.parse(node.asText()));
        } catch (IllegalArgumentException e) {
            violations.add(new Violation("secret", e.getMessage(), null));
            return Optional.empty();
        }
    }

    private static boolean readEphemeral(JsonNode node, Protocol protocol, List<Violation> violations) {
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            violations.add(new Violation("ephemeral", "must be true or false", node.toString()));
            return false;
        }
        if (node.asBoolean() && protocol != Protocol.PULL) {
            violations.add(new Violation("ephemeral", "applies to PULL subscriptions only", "true"));
            return false;
        }
        return node.asBoolean();
    }
}
