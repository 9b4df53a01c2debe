package dev.herald.event;

import io.cloudevents.CloudEvent;
import io.cloudevents.SpecVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The envelope rules every Herald event must keep, checked on an SDK {@link CloudEvent}.
 *
 * <p>CloudEvents 1.0 plus Herald's own: {@code time} is required (the builder fills it), {@code data}
 * is JSON (so it can be checked against its schema), Herald's extensions are strings, and an event
 * is at most {@link #maxEventBytes()} long in its structured JSON form.
 *
 * <p>No string attribute holds a control character (U+0000–U+001F, U+007F–U+009F): CloudEvents excludes
 * them from its String type, and an id or source holding a line break could forge lines in every log that
 * prints it.
 *
 * @param maxEventBytes the largest event accepted, in bytes of its structured JSON form
 */
public record EnvelopeRules(int maxEventBytes) {

    /** One MiB: enough for a fat event, small enough that one event cannot stall a consumer. */
    public static final int DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;

    static final String JSON_ONLY = "must be application/json or a +json type: Herald events carry JSON data";

    private static final Pattern EXTENSION_NAME = Pattern.compile("[a-z0-9]+");
    /** W3C trace context, version 00: {@code 00-<trace id>-<parent id>-<flags>}. */
    private static final Pattern TRACEPARENT = Pattern.compile("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");

    public EnvelopeRules {
        if (maxEventBytes <= 0) {
            throw new IllegalArgumentException("maxEventBytes must be positive, was " + maxEventBytes);
        }
    }

    /** The rules with the default size limit. */
    public static EnvelopeRules defaults() {
        return new EnvelopeRules(DEFAULT_MAX_EVENT_BYTES);
    }

    /** Checks an event, serialising it once to measure its size. */
    public List<Violation> check(CloudEvent event) {
        return check(event, JsonEvents.write(event).length);
    }

    /**
     * Checks an event whose structured JSON size the caller already knows (it just parsed it).
     *
     * @return every violation, empty when the event is valid
     */
    public List<Violation> check(CloudEvent event, int structuredSizeBytes) {
        List<Violation> violations = new ArrayList<>();
        if (event.getSpecVersion() != SpecVersion.V1) {
            violations.add(new Violation("specversion", "must be 1.0", event.getSpecVersion().toString()));
        }
        requireNonBlank(violations, "id", event.getId());
        requireNonBlank(violations, "type", event.getType());
        if (event.getSource() == null || event.getSource().toString().isEmpty()) {
            violations.add(Violation.missing("source", "is required and must be a non-empty URI-reference"));
        }
        if (event.getTime() == null) {
            violations.add(Violation.missing("time", "is required (RFC 3339 timestamp)"));
        }
        if (event.getDataSchema() != null && !event.getDataSchema().isAbsolute()) {
            violations.add(new Violation("dataschema", "must be an absolute URI", event.getDataSchema().toString()));
        }
        checkControlCharacters(event, violations);
        checkData(event, violations);
        checkExtensions(event, violations);
        if (structuredSizeBytes > maxEventBytes) {
            violations.add(new Violation("event", "must be at most " + maxEventBytes + " bytes",
                    structuredSizeBytes + " bytes"));
        }
        return violations;
    }

    /** Throws when the event breaks any rule. */
    public CloudEvent requireValid(CloudEvent event) {
        List<Violation> violations = check(event);
        if (!violations.isEmpty()) {
            throw new InvalidEventException(violations);
        }
        return event;
    }

    private static void requireNonBlank(List<Violation> violations, String attribute, String value) {
        if (value == null || value.isBlank()) {
            violations.add(Violation.missing(attribute, "is required and must be a non-empty string"));
        }
    }

    private static void checkControlCharacters(CloudEvent event, List<Violation> violations) {
        requireNoControlCharacters(violations, "id", event.getId());
        requireNoControlCharacters(violations, "source", event.getSource() == null ? null : event.getSource().toString());
        requireNoControlCharacters(violations, "type", event.getType());
        requireNoControlCharacters(violations, "subject", event.getSubject());
        requireNoControlCharacters(violations, "datacontenttype", event.getDataContentType());
        for (String name : event.getExtensionNames()) {
            if (event.getExtension(name) instanceof String value) {
                requireNoControlCharacters(violations, name, value);
            }
        }
    }

    private static void requireNoControlCharacters(List<Violation> violations, String attribute, String value) {
        if (value == null) {
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.getType(c) == Character.CONTROL) {
                violations.add(new Violation(attribute, String.format(Locale.ROOT,
                        "must not contain control characters (U+0000-U+001F, U+007F-U+009F); found U+%04X at "
                                + "index %d", (int) c, i), value));
                return;
            }
        }
    }

    private static void checkData(CloudEvent event, List<Violation> violations) {
        if (event.getData() == null) {
            return;
        }
        String contentType = event.getDataContentType();
        if (contentType != null && !isJson(contentType)) {
            violations.add(new Violation("datacontenttype", JSON_ONLY, contentType));
            return;
        }
        try {
            EventData.json(event);
        } catch (InvalidEventException e) {
            violations.addAll(e.violations());
        }
    }

    /** True for {@code application/json}, {@code text/json} and any {@code +json} media type. */
    static boolean isJson(String contentType) {
        String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return mediaType.equals("application/json") || mediaType.equals("text/json") || mediaType.endsWith("+json");
    }

    private static void checkExtensions(CloudEvent event, List<Violation> violations) {
        for (String name : event.getExtensionNames()) {
            Object value = event.getExtension(name);
            if (!EXTENSION_NAME.matcher(name).matches()) {
                violations.add(new Violation(name, "extension names use only lowercase letters a-z and digits 0-9",
                        name));
            } else if (HeraldAttributes.ALL.contains(name) && !(value instanceof String)) {
                violations.add(new Violation(name, "must be a string", String.valueOf(value)));
            } else if (HeraldAttributes.ALL.contains(name) && ((String) value).isBlank()) {
                violations.add(new Violation(name, "must not be empty when present", (String) value));
            } else if (name.equals(HeraldAttributes.TRACEPARENT) && !TRACEPARENT.matcher((String) value).matches()) {
                violations.add(new Violation(name, "must be a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>)",
                        (String) value));
            }
        }
    }
}
