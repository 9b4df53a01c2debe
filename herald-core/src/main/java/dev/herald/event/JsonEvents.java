package dev.herald.event;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.UTF8StreamJsonParser;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import dev.herald.transport.EncodedEvent;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.jackson.JsonCloudEventData;
import io.cloudevents.jackson.JsonFormat;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
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
 * <p>Reading is strict: before an event is built, its shape is checked so that every problem comes
 * back as a {@link Violation} naming the attribute and the rule, instead of the SDK's first exception.
 * A parsed event is then checked against the {@link EnvelopeRules}.
 *
 * <p>Reading is one pass: the document is parsed once into a Jackson tree, the shape check reads that
 * tree, the event is built from it (its {@code data} is the tree's node, so schema validation reuses it),
 * and each event object's own bytes are cut out of the document by the parser's offsets. Those bytes
 * are the event's stored form ({@link #readEncodedEvent}, {@link #readEncodedBatch}) whenever they
 * say exactly what was read: see {@link #keepsProducerBytes}. Otherwise the event is written once by
 * {@link #write}, as before.
 */
public final class JsonEvents {

    /** Media type of one event in structured mode. */
    public static final String STRUCTURED = JsonFormat.CONTENT_TYPE;
    /** Media type of a batch of events. */
    public static final String BATCH = "application/cloudevents-batch+json";

    private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(JsonFormat.getCloudEventJacksonModule());
    private static final ObjectWriter BATCH_WRITER = MAPPER.writerFor(new TypeReference<List<CloudEvent>>() { });
    /**
     * Refuses a name repeated within an object, which the lenient tree reader resolves as "the last one
     * wins": a consumer of the producer's bytes might resolve it otherwise, so such a document's bytes
     * are never stored as they came.
     */
    private static final ObjectReader NO_REPEATED_NAMES = MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private static final Set<String> STRING_ATTRIBUTES =
            Set.of("specversion", "id", "source", "type", "subject", "time", "dataschema", "datacontenttype");
    private static final Set<String> REQUIRED = Set.of("specversion", "id", "source", "type");
    private static final Pattern EXTENSION_NAME = Pattern.compile("[a-z0-9]+");
    /**
     * RFC 3339's date-time. {@link OffsetDateTime#parse} (the shape check, and the SDK) also accepts
     * ISO 8601 forms outside it (no seconds, an offset with seconds), which {@link #write} normalises.
     */
    private static final Pattern RFC_3339 =
            Pattern.compile("\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?([Zz]|[+-]\\d{2}:\\d{2})");

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
        return readEncodedEvent(json).event();
    }

    /**
     * Reads one event in structured mode, with its stored form: the document's own bytes when they can
     * be kept, else the event as {@link #write} writes it.
     *
     * @throws InvalidEventException listing every violation when the document is not a valid event
     */
    public EncodedEvent readEncodedEvent(byte[] json) {
        Document document = Document.parse(json);
        if (document.array()) {
            throw new InvalidEventException(List.of(new Violation("event",
                    "must be a single JSON object; use " + BATCH + " for an array", "array")));
        }
        return toEvent(document.elements().getFirst(), "");
    }

    /**
     * Reads a batch: a JSON array of structured events. All or nothing: any violation in any event
     * fails the whole batch, and violations name the event by index ({@code [3].source}).
     */
    public List<CloudEvent> readBatch(byte[] json) {
        return EncodedEvent.events(readEncodedBatch(json));
    }

    /**
     * Reads a batch like {@link #readBatch}, each event with its stored form: its object's bytes cut
     * from the document when they can be kept, else the event as {@link #write} writes it.
     */
    public List<EncodedEvent> readEncodedBatch(byte[] json) {
        Document document = Document.parse(json);
        if (!document.array()) {
            throw new InvalidEventException(List.of(new Violation("batch", "must be a JSON array of events",
                    document.elements().getFirst().node().getNodeType().toString().toLowerCase(Locale.ROOT))));
        }
        return toEvents(document.elements());
    }

    /** Reads either form: a JSON object is one event, a JSON array a batch. */
    public List<CloudEvent> readEventOrBatch(byte[] json) {
        Document document = Document.parse(json);
        return document.array() ? EncodedEvent.events(toEvents(document.elements()))
                : List.of(toEvent(document.elements().getFirst(), "").event());
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

    /**
     * One event object of a document, and its bytes in the document; {@code bytes} is null when they
     * cannot be kept (the document repeats a name, or is not UTF-8).
     */
    private record Element(JsonNode node, byte[] bytes) {
    }

    /** A parsed document: a single value, or an array and its elements. */
    private record Document(boolean array, List<Element> elements) {

        static Document parse(byte[] json) {
            try {
                return parseKeepingBytes(json);
            } catch (JsonProcessingException e) {
                // Malformed, or a repeated name (refused only by the first pass): the lenient pass tells.
                return parseLeniently(json);
            } catch (IOException e) {
                throw new IllegalStateException("reading from a byte array cannot fail", e);
            }
        }

        /**
         * Parses the document once, cutting each top-level object (or the document's one object) out
         * of {@code json} by the parser's offsets: a JSON object is self-contained text, so the cut is
         * the object exactly, without surrounding whitespace, byte order mark or trailing content.
         */
        private static Document parseKeepingBytes(byte[] json) throws IOException {
            try (JsonParser parser = NO_REPEATED_NAMES.createParser(json)) {
                JsonToken first = parser.nextToken();
                // Offsets count bytes only in the UTF-8 parser; UTF-16 and UTF-32 documents are re-encoded.
                boolean utf8 = parser instanceof UTF8StreamJsonParser;
                if (first == JsonToken.START_OBJECT) {
                    return new Document(false, List.of(element(parser, json, utf8)));
                }
                if (first != JsonToken.START_ARRAY) {
                    return parseLeniently(json);
                }
                List<Element> elements = new ArrayList<>();
                for (JsonToken next = parser.nextToken(); next != JsonToken.END_ARRAY; next = parser.nextToken()) {
                    if (next == null) {
                        return parseLeniently(json);
                    }
                    elements.add(element(parser, json, utf8));
                }
                return new Document(true, elements);
            }
        }

        /** The value at the parser's current token, and its bytes when it is an object. */
        private static Element element(JsonParser parser, byte[] json, boolean utf8) throws IOException {
            boolean object = parser.currentToken() == JsonToken.START_OBJECT;
            int start = (int) parser.currentTokenLocation().getByteOffset();
            JsonNode node = NO_REPEATED_NAMES.readTree(parser);
            if (!object || !utf8) {
                return new Element(node, null);
            }
            int end = (int) parser.currentTokenLocation().getByteOffset() + 1;
            return new Element(node, start == 0 && end == json.length ? json : Arrays.copyOfRange(json, start, end));
        }

        /** Parses with Jackson's defaults (the last of repeated names wins), keeping no bytes. */
        private static Document parseLeniently(byte[] json) {
            JsonNode node;
            try {
                node = MAPPER.readTree(json);
            } catch (JsonProcessingException e) {
                JsonLocation at = e.getLocation();
                String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
                throw new InvalidEventException(List.of(
                        new Violation("event", "malformed JSON" + where + ": " + EventData.firstLine(e), null)));
            } catch (IOException e) {
                throw new IllegalStateException("reading from a byte array cannot fail", e);
            }
            if (node == null || node.isMissingNode()) {
                throw new InvalidEventException(List.of(Violation.missing("event", "the document is empty")));
            }
            if (!node.isArray()) {
                return new Document(false, List.of(new Element(node, null)));
            }
            List<Element> elements = new ArrayList<>(node.size());
            node.forEach(element -> elements.add(new Element(element, null)));
            return new Document(true, elements);
        }
    }

    private List<EncodedEvent> toEvents(List<Element> elements) {
        List<EncodedEvent> events = new ArrayList<>(elements.size());
        List<Violation> violations = new ArrayList<>();
        for (int i = 0; i < elements.size(); i++) {
            try {
                events.add(toEvent(elements.get(i), "[" + i + "]."));
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
     * Maps, checks and builds one event, with its stored form (whose size the envelope rules check).
     *
     * @param prefix prepended to every violation's location (the batch index)
     */
    private EncodedEvent toEvent(Element element, String prefix) {
        JsonNode node = element.node();
        EnvelopeMapping mapping = mappingFor(node);
        if (mapping != null) {
            List<Violation> mapped = mapping.map((ObjectNode) node);
            if (!mapped.isEmpty()) {
                throw new InvalidEventException(prefixed(prefix, mapped));
            }
        }
        Parsed parsed = new Parsed();
        List<Violation> violations = checkShape(node, parsed);
        if (violations.isEmpty()) {
            boolean producerBytes = mapping == null && element.bytes() != null && keepsProducerBytes(node);
            CloudEvent event;
            try {
                event = producerBytes ? build(node, parsed) : MAPPER.treeToValue(node, CloudEvent.class);
            } catch (JsonProcessingException | RuntimeException e) {
                violations.add(new Violation("event", "not a valid CloudEvent: " + EventData.firstLine(e), null));
                throw new InvalidEventException(prefixed(prefix, violations));
            }
            byte[] stored = producerBytes ? element.bytes() : write(event);
            violations.addAll(rules.check(event, stored.length));
            if (violations.isEmpty()) {
                return EncodedEvent.of(event, stored);
            }
        }
        throw new InvalidEventException(prefixed(prefix, violations));
    }

    /**
     * Whether the producer's bytes of a well-shaped event say exactly what the SDK reads from its tree,
     * so they can be stored as they came: its {@code data} is JSON, not {@code data_base64} and not a
     * string standing for a non-JSON media type (both of which the SDK decodes, and {@link #write}
     * writes back differently), and its {@code time} is RFC 3339 as CloudEvents requires (the shape check
     * accepts a wider ISO 8601 form, which {@link #write} normalises). Everything else {@link #write}
     * would write is the producer's text as it came: strings, URIs, integers and booleans, the data tree.
     */
    private static boolean keepsProducerBytes(JsonNode node) {
        JsonNode contentType = node.get("datacontenttype");
        JsonNode time = node.get("time");
        return !node.has("data_base64")
                && (contentType == null || contentType.textValue().equals("application/json")
                        || contentType.textValue().startsWith("application/json;"))
                && (time == null || RFC_3339.matcher(time.textValue()).matches());
    }

    /**
     * Builds the event from a well-shaped tree ({@link #checkShape} passed) as the SDK's deserialiser
     * does, without its copy of the tree: {@code data} is the tree's node, the attributes the shape check
     * parsed are taken as parsed (the SDK parses them with the same {@link OffsetDateTime#parse} and
     * {@link URI} constructor), the others go through the SDK builder's own handling of each attribute.
     */
    private static CloudEvent build(JsonNode node, Parsed parsed) {
        CloudEventBuilder builder = CloudEventBuilder.v1();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            JsonNode value = field.getValue();
            switch (name) {
                case "specversion", "data" -> { }
                case "time" -> builder.withTime(parsed.time);
                case "source" -> builder.withSource(parsed.source);
                case "dataschema" -> builder.withDataSchema(parsed.dataschema);
                default -> otherAttribute(builder, name, value);
            }
        }
        JsonNode data = node.get("data");
        if (data != null) {
            builder.withData(JsonCloudEventData.wrap(data));
        }
        return builder.build();
    }

    /** An attribute the shape check did not parse (a string one, or an extension): the SDK builder sets it. */
    private static void otherAttribute(CloudEventBuilder builder, String name, JsonNode value) {
        switch (value.getNodeType()) {
            case BOOLEAN -> builder.withContextAttribute(name, value.booleanValue());
            case NUMBER -> builder.withContextAttribute(name, value.numberValue());
            default -> builder.withContextAttribute(name, value.textValue());
        }
    }

    /** The first mapping that recognises the event, or null. */
    private EnvelopeMapping mappingFor(JsonNode node) {
        if (node instanceof ObjectNode event) {
            for (EnvelopeMapping mapping : mappings) {
                if (mapping.applies(event)) {
                    return mapping;
                }
            }
        }
        return null;
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
    private static List<Violation> checkShape(JsonNode node, Parsed parsed) {
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
            checkAttribute(field.getKey(), field.getValue(), violations, parsed);
        }
        if (node.has("data") && node.has("data_base64")) {
            violations.add(new Violation("data_base64", "must not be present together with data", null));
        }
        return violations;
    }

    private static void checkAttribute(String name, JsonNode value, List<Violation> violations, Parsed parsed) {
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
                    parsed.source = requireUri(name, text, "must be a URI-reference (RFC 3986)", violations);
                }
                case "datacontenttype" -> {
                    if (!EnvelopeRules.isJson(text)) {
                        violations.add(new Violation(name, EnvelopeRules.JSON_ONLY, text));
                    }
                }
                case "dataschema" -> parsed.dataschema = requireUri(name, text, "must be an absolute URI", violations);
                case "time" -> {
                    try {
                        parsed.time = OffsetDateTime.parse(text);
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

    /** The URI, or null with a violation added when {@code text} is not one. */
    private static URI requireUri(String name, String text, String rule, List<Violation> violations) {
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            violations.add(new Violation(name, rule + ": " + e.getReason(), text));
            return null;
        }
    }

    /**
     * The attribute values the shape check parsed to check them, so that building the event does not
     * parse them again (parsing {@code time} was a tenth of the intake handler's CPU).
     */
    private static final class Parsed {
        OffsetDateTime time;
        URI source;
        URI dataschema;
    }

    private static String typeOf(JsonNode node) {
        JsonNodeType type = node.getNodeType();
        return type.toString().toLowerCase(Locale.ROOT);
    }
}
