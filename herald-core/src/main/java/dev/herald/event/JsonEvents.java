package dev.herald.event;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import io.cloudevents.CloudEvent;
import io.cloudevents.jackson.JsonFormat;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The CloudEvents JSON structured format ({@value #STRUCTURED}) and JSON batch format
 * ({@value #BATCH}), read and written through the SDK's Jackson module.
 *
 * <p>Reading is strict: before the SDK sees a document, its shape is checked so that every problem
 * comes back as a {@link Violation} naming the attribute and the rule, instead of the SDK's first
 * exception. A parsed event is then checked against the {@link EnvelopeRules}.
 */
public final class JsonEvents {

    /** Media type of one event in structured mode. */
    public static final String STRUCTURED = JsonFormat.CONTENT_TYPE;
    /** Media type of a batch of events. */
    public static final String BATCH = "application/cloudevents-batch+json";

    private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(JsonFormat.getCloudEventJacksonModule());
    private static final ObjectWriter BATCH_WRITER = MAPPER.writerFor(new TypeReference<List<CloudEvent>>() { });

    private static final Set<String> STRING_ATTRIBUTES =
            Set.of("specversion", "id", "source", "type", "subject", "time", "dataschema", "datacontenttype");
    private static final Set<String> REQUIRED = Set.of("specversion", "id", "source", "type");
    private static final Pattern EXTENSION_NAME = Pattern.compile("[a-z0-9]+");

    private final EnvelopeRules rules;
    private final List<EnvelopeMapping> mappings;

    /** A reader and writer applying the given envelope rules. */
    public JsonEvents(EnvelopeRules rules) {
        this(rules, List.of());
    }

    private JsonEvents(EnvelopeRules rules, List<EnvelopeMapping> mappings) {
        this.rules = rules;
        this.mappings = List.copyOf(mappings);
    }

    /**
     * This reader with compatibility mappings: each event a mapping {@linkplain EnvelopeMapping#applies
     * recognises} is rewritten by it before it is read, and refused with the mapping's violations.
     */
    public JsonEvents withMappings(List<EnvelopeMapping> mappings) {
        return new JsonEvents(rules, mappings);
    }

    /** A reader and writer with the default envelope rules. */
    public JsonEvents() {
        this(EnvelopeRules.defaults());
    }

    /**
     * Reads one event in structured mode.
     *
     * @throws InvalidEventException listing every violation when the document is not a valid event
     */
    public CloudEvent readEvent(byte[] json) {
        JsonNode node = parse(json);
        if (node.isArray()) {
            throw new InvalidEventException(List.of(new Violation("event",
                    "must be a single JSON object; use " + BATCH + " for an array", "array")));
        }
        return toEvent(node, "", json.length);
    }

    /**
     * Reads a batch: a JSON array of structured events. All or nothing: any violation in any event
     * fails the whole batch, and violations name the event by index ({@code [3].source}).
     */
    public List<CloudEvent> readBatch(byte[] json) {
        JsonNode node = parse(json);
        if (!node.isArray()) {
            throw new InvalidEventException(List.of(new Violation("batch", "must be a JSON array of events",
                    node.getNodeType().toString().toLowerCase(Locale.ROOT))));
        }
        return toEvents(node);
    }

    /** Reads either form: a JSON object is one event, a JSON array a batch. */
    public List<CloudEvent> readEventOrBatch(byte[] json) {
        JsonNode node = parse(json);
        return node.isArray() ? toEvents(node) : List.of(toEvent(node, "", json.length));
    }

    /** Writes one event in structured mode. */
    public static byte[] write(CloudEvent event) {
        try {
            return MAPPER.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise event " + event.getId(), e);
        }
    }

    /** Writes events in the batch format. */
    public static byte[] writeBatch(List<CloudEvent> events) {
        try {
            return BATCH_WRITER.writeValueAsBytes(events);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a batch of " + events.size() + " events", e);
        }
    }

    private static JsonNode parse(byte[] json) {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node == null || node.isMissingNode()) {
                throw new InvalidEventException(List.of(Violation.missing("event", "the document is empty")));
            }
            return node;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new InvalidEventException(List.of(
                    new Violation("event", "malformed JSON" + where + ": " + EventData.firstLine(e), null)));
        } catch (IOException e) {
            throw new IllegalStateException("reading from a byte array cannot fail", e);
        }
    }

    private List<CloudEvent> toEvents(JsonNode array) {
        List<CloudEvent> events = new ArrayList<>(array.size());
        List<Violation> violations = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            try {
                events.add(toEvent(array.get(i), "[" + i + "].", -1));
            } catch (InvalidEventException e) {
                violations.addAll(e.violations());
            }
        }
        if (!violations.isEmpty()) {
            throw new InvalidEventException(violations);
        }
        return events;
    }

    /**
     * @param prefix      prepended to every violation's location (the batch index)
     * @param sizeOrMinus the document size when known, else -1 to measure by serialising
     */
    private CloudEvent toEvent(JsonNode node, String prefix, int sizeOrMinus) {
        List<Violation> mapped = applyMappings(node);
        if (!mapped.isEmpty()) {
            throw new InvalidEventException(prefixed(prefix, mapped));
        }
        List<Violation> violations = checkShape(node);
        if (violations.isEmpty()) {
            CloudEvent event;
            try {
                event = MAPPER.treeToValue(node, CloudEvent.class);
            } catch (JsonProcessingException | RuntimeException e) {
                violations.add(new Violation("event", "not a valid CloudEvent: " + EventData.firstLine(e), null));
                throw new InvalidEventException(prefixed(prefix, violations));
            }
            violations.addAll(sizeOrMinus < 0 ? rules.check(event) : rules.check(event, sizeOrMinus));
            if (violations.isEmpty()) {
                return event;
            }
        }
        throw new InvalidEventException(prefixed(prefix, violations));
    }

    private List<Violation> applyMappings(JsonNode node) {
        if (node instanceof ObjectNode event) {
            for (EnvelopeMapping mapping : mappings) {
                if (mapping.applies(event)) {
                    return mapping.map(event);
                }
            }
        }
        return List.of();
    }

    private static List<Violation> prefixed(String prefix, List<Violation> violations) {
        if (prefix.isEmpty()) {
            return violations;
        }
        return violations.stream().map(v -> new Violation(prefix + v.where(), v.rule(), v.value())).toList();
    }

    /**
     * What the SDK would otherwise reject with one opaque exception: wrong JSON types, missing
     * required attributes, unparseable URIs and timestamps, bad extension names and value types.
     */
    private static List<Violation> checkShape(JsonNode node) {
        List<Violation> violations = new ArrayList<>();
        if (!node.isObject()) {
            violations.add(new Violation("event", "must be a JSON object", typeOf(node)));
            return violations;
        }
        for (String attribute : REQUIRED) {
            if (!node.hasNonNull(attribute)) {
                violations.add(Violation.missing(attribute, "is required"));
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            checkAttribute(field.getKey(), field.getValue(), violations);
        }
        if (node.has("data") && node.has("data_base64")) {
            violations.add(new Violation("data_base64", "must not be present together with data", null));
        }
        return violations;
    }

    private static void checkAttribute(String name, JsonNode value, List<Violation> violations) {
        if (STRING_ATTRIBUTES.contains(name)) {
            if (!value.isTextual()) {
                violations.add(new Violation(name, "must be a string", typeOf(value)));
                return;
            }
            String text = value.asText();
            switch (name) {
                case "specversion" -> {
                    if (!text.equals("1.0")) {
                        violations.add(new Violation(name, "must be 1.0", text));
                    }
                }
                case "id", "type" -> requireNonEmpty(name, text, violations);
                case "source" -> {
                    requireNonEmpty(name, text, violations);
                    requireUri(name, text, "must be a URI-reference (RFC 3986)", violations);
                }
                case "datacontenttype" -> {
                    if (!EnvelopeRules.isJson(text)) {
                        violations.add(new Violation(name, EnvelopeRules.JSON_ONLY, text));
                    }
                }
                case "dataschema" -> requireUri(name, text, "must be an absolute URI", violations);
                case "time" -> {
                    try {
                        OffsetDateTime.parse(text);
                    } catch (DateTimeParseException e) {
                        violations.add(new Violation(name, "must be an RFC 3339 timestamp with offset", text));
                    }
                }
                default -> { }
            }
        } else if (name.equals("data_base64")) {
            if (!value.isTextual()) {
                violations.add(new Violation(name, "must be a base64 string", typeOf(value)));
            }
        } else if (!name.equals("data")) {
            if (!EXTENSION_NAME.matcher(name).matches()) {
                violations.add(new Violation(name, "extension names use only lowercase letters a-z and digits 0-9",
                        name));
            } else if (!(value.isTextual() || value.isBoolean() || value.isIntegralNumber())) {
                violations.add(new Violation(name, "extension values must be a string, an integer or a boolean",
                        value.toString()));
            }
        }
    }

    private static void requireNonEmpty(String name, String text, List<Violation> violations) {
        if (text.isBlank()) {
            violations.add(Violation.missing(name, "is required and must be a non-empty string"));
        }
    }

    private static void requireUri(String name, String text, String rule, List<Violation> violations) {
        try {
            new URI(text);
        } catch (URISyntaxException e) {
            violations.add(new Violation(name, rule + ": " + e.getReason(), text));
        }
    }

    private static String typeOf(JsonNode node) {
        JsonNodeType type = node.getNodeType();
        return type.toString().toLowerCase(Locale.ROOT);
    }
}
