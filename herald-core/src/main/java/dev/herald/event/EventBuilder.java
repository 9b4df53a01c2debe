package dev.herald.event;

import com.fasterxml.jackson.databind.JsonNode;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Builds Herald events on the SDK's {@link CloudEventBuilder}, filling what a producer should not
 * have to think about:
 * <ul>
 *   <li>{@code id}: a new UUIDv7 ({@link EventIds});</li>
 *   <li>{@code time}: now, UTC, microsecond precision;</li>
 *   <li>{@code specversion}: 1.0, {@code datacontenttype}: {@code application/json};</li>
 *   <li>{@code dataschema}: the type's current schema, when a {@link DataSchemaResolver} is given.</li>
 * </ul>
 * {@link #build()} checks the result against the {@link EnvelopeRules} and throws
 * {@link InvalidEventException} with every violation.
 *
 * <pre>{@code
 * CloudEvent event = EventBuilder.create(registry)
 *     .type("vulnerabilities.new_finding")
 *     .source("https://gitlab.example.com/group/app/-/security/vulnerabilities")
 *     .subject("gid://gitlab/Vulnerability/541")
 *     .project("gid://gitlab/Project/392359")
 *     .authType("app_user").authId("gid://gitlab/User/123")
 *     .data(findingJson)
 *     .build();
 * }</pre>
 */
public final class EventBuilder {

    private static final String JSON = "application/json";

    private final CloudEventBuilder delegate;
    private final DataSchemaResolver schemas;
    private final EnvelopeRules rules;
    private boolean typeSet;
    private boolean sourceSet;
    private boolean idSet;
    private boolean timeSet;
    private boolean dataSchemaSet;

    private EventBuilder(CloudEventBuilder delegate, DataSchemaResolver schemas, EnvelopeRules rules,
                         boolean copied) {
        this.delegate = delegate;
        this.schemas = schemas;
        this.rules = rules;
        this.typeSet = copied;
        this.sourceSet = copied;
        this.idSet = copied;
        this.timeSet = copied;
        this.dataSchemaSet = copied;
    }

    /** A builder that leaves {@code dataschema} unset unless the producer sets it. */
    public static EventBuilder create() {
        return create(type -> Optional.empty());
    }

    /** A builder that fills {@code dataschema} from the type's current schema. */
    public static EventBuilder create(DataSchemaResolver schemas) {
        return new EventBuilder(CloudEventBuilder.v1().withDataContentType(JSON), schemas,
                EnvelopeRules.defaults(), false);
    }

    /** A builder starting from an existing event, keeping its id, time and dataschema. */
    public static EventBuilder from(CloudEvent event) {
        return new EventBuilder(CloudEventBuilder.v1(event), type -> Optional.empty(),
                EnvelopeRules.defaults(), true);
    }

    /** The event type, e.g. {@code ci.pipeline.created}. */
    public EventBuilder type(String type) {
        delegate.withType(type);
        typeSet = type != null;
        return this;
    }

    /** Where the event happened, as a URI-reference. */
    public EventBuilder source(URI source) {
        delegate.withSource(source);
        sourceSet = source != null;
        return this;
    }

    /** Where the event happened, as a URI-reference in text form. */
    public EventBuilder source(String source) {
        return source(URI.create(source));
    }

    /** What the event is about, e.g. {@code gid://gitlab/Vulnerability/541}. */
    public EventBuilder subject(String subject) {
        delegate.withSubject(subject);
        return this;
    }

    /** Overrides the generated id (for example to make a re-publish idempotent). */
    public EventBuilder id(String id) {
        delegate.withId(id);
        idSet = true;
        return this;
    }

    /** Overrides the generated time. */
    public EventBuilder time(OffsetDateTime time) {
        delegate.withTime(time);
        timeSet = true;
        return this;
    }

    /** Names the schema version the data follows, instead of the type's current one. */
    public EventBuilder dataSchema(URI dataSchema) {
        delegate.withDataSchema(dataSchema);
        dataSchemaSet = true;
        return this;
    }

    /** JSON data. */
    public EventBuilder data(JsonNode data) {
        delegate.withData(JSON, EventData.of(data));
        return this;
    }

    /** Data from any Jackson-serialisable value: a record, a map, a string. */
    public EventBuilder data(Object data) {
        return data((JsonNode) EventData.MAPPER.valueToTree(data));
    }

    /** Raw data bytes with their media type; Herald refuses non-JSON media types at {@link #build()}. */
    public EventBuilder data(String contentType, byte[] data) {
        delegate.withData(contentType, data);
        return this;
    }

    /** The {@code project} extension. */
    public EventBuilder project(String project) {
        return extension(HeraldAttributes.PROJECT, project);
    }

    /** The {@code authtype} extension: how the event was triggered. */
    public EventBuilder authType(String authType) {
        return extension(HeraldAttributes.AUTHTYPE, authType);
    }

    /** The {@code authid} extension: who triggered it. */
    public EventBuilder authId(String authId) {
        return extension(HeraldAttributes.AUTHID, authId);
    }

    /** The {@code correlationid} extension. */
    public EventBuilder correlationId(String correlationId) {
        return extension(HeraldAttributes.CORRELATIONID, correlationId);
    }

    /** The {@code causationid} extension. */
    public EventBuilder causationId(String causationId) {
        return extension(HeraldAttributes.CAUSATIONID, causationId);
    }

    /** The {@code partitionkey} extension: events with one key are delivered in order. */
    public EventBuilder partitionKey(String partitionKey) {
        return extension(HeraldAttributes.PARTITIONKEY, partitionKey);
    }

    /** The W3C {@code traceparent}. */
    public EventBuilder traceparent(String traceparent) {
        return extension(HeraldAttributes.TRACEPARENT, traceparent);
    }

    /** The W3C {@code tracestate}. */
    public EventBuilder tracestate(String tracestate) {
        return extension(HeraldAttributes.TRACESTATE, tracestate);
    }

    /** Any string extension attribute; {@code null} removes it. */
    public EventBuilder extension(String name, String value) {
        if (value == null) {
            delegate.withoutExtension(name);
        } else {
            delegate.withExtension(name, value);
        }
        return this;
    }

    /**
     * Fills the defaults and checks the envelope.
     *
     * @throws InvalidEventException when a required attribute is missing or a rule is broken
     */
    public CloudEvent build() {
        if (!idSet) {
            delegate.withId(EventIds.next());
        }
        if (!timeSet) {
            delegate.withTime(OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS));
        }
        List<Violation> missing = new ArrayList<>();
        if (!typeSet) {
            missing.add(Violation.missing("type", "is required"));
        }
        if (!sourceSet) {
            missing.add(Violation.missing("source", "is required"));
        }
        if (!missing.isEmpty()) {
            throw new InvalidEventException(missing);
        }
        CloudEvent event = delegate.build();
        if (!dataSchemaSet) {
            var schema = schemas.currentSchema(event.getType());
            if (schema.isPresent()) {
                event = CloudEventBuilder.v1(event).withDataSchema(schema.get()).build();
            }
        }
        return rules.requireValid(Objects.requireNonNull(event));
    }
}
