package dev.herald.test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.event.EventBuilder;
import dev.herald.event.Violation;
import dev.herald.schema.SchemaRegistry;
import dev.herald.schema.SchemaVersion;
import dev.herald.store.EventStore;
import io.cloudevents.CloudEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Valid events of any registered type, built from the {@code examples} its JSON Schema lists
 * ({@link SchemaVersion#examples()}), so a test states only what matters to it:
 *
 * <pre>{@code
 * EventFixtures fixtures = EventFixtures.of(store);
 * CloudEvent push = fixtures.event("repository.push").project("gid://gitlab/Project/7").build();
 * CloudEvent green = fixtures.event("ci.pipeline.finished", data -> data.put("status", "success")).build();
 * }</pre>
 *
 * <p>{@link #event(String)} returns an {@link EventBuilder} already holding the type, the first example
 * of the type's newest version as data, that version's {@code dataschema}, and the defaults
 * {@value #SOURCE} as source, {@value #PROJECT} as project and {@value #AUTHTYPE} as authtype — many
 * subscribers read the project. Override any of them on the builder. An example that does not satisfy its
 * own schema is a broken schema file; the fixture refuses it, naming the file's type and version.
 */
public final class EventFixtures {

    /** The {@code source} of fixture events. */
    public static final String SOURCE = "https://herald.test/fixtures";
    /** The {@code project} of fixture events. */
    public static final String PROJECT = "gid://herald-test/Project/1";
    /** The {@code authtype} of fixture events. */
    public static final String AUTHTYPE = "system";

    private final SchemaRegistry schemas;

    private EventFixtures(SchemaRegistry schemas) {
        this.schemas = Objects.requireNonNull(schemas, "schemas");
    }

    /** Fixtures for the types of {@code schemas}. */
    public static EventFixtures of(SchemaRegistry schemas) {
        return new EventFixtures(schemas);
    }

    /** Fixtures for the types of the store's registry. */
    public static EventFixtures of(EventStore store) {
        return new EventFixtures(store.schemas());
    }

    /**
     * A builder for an event of {@code type} with its newest version's first example as data.
     *
     * @throws IllegalArgumentException when the type has no schema, or its newest version lists no examples
     */
    public EventBuilder event(String type) {
        SchemaVersion version = newest(type);
        return builder(version, firstExample(version));
    }

    /**
     * Like {@link #event(String)}, with the example data changed by {@code edit} (it receives a copy).
     *
     * @throws IllegalArgumentException when the example is not a JSON object
     */
    public EventBuilder event(String type, UnaryOperator<ObjectNode> edit) {
        SchemaVersion version = newest(type);
        JsonNode example = firstExample(version);
        if (!(example instanceof ObjectNode object)) {
            throw new IllegalArgumentException("the example of " + type + " v" + version.version()
                    + " is not a JSON object, so it cannot be edited field by field: " + example);
        }
        return builder(version, edit.apply(object));
    }

    /** A copy of the data of {@link #event(String)}. */
    public JsonNode data(String type) {
        return firstExample(newest(type));
    }

    /**
     * One built event per example of every version of {@code type}, oldest version first: for tests
     * that every shape a type ever had is handled ("shared examples").
     *
     * @throws IllegalArgumentException when the type has no schema or no version lists an example
     */
    public List<CloudEvent> examples(String type) {
        List<CloudEvent> events = new ArrayList<>();
        for (SchemaVersion version : versions(type)) {
            List<JsonNode> examples = version.examples();
            for (int i = 0; i < examples.size(); i++) {
                events.add(builder(version, checked(version, i, examples.get(i))).build());
            }
        }
        if (events.isEmpty()) {
            throw new IllegalArgumentException("no version of " + type + " lists examples in its schema; add an "
                    + "\"examples\" array to it, or build the data yourself with EventBuilder");
        }
        return events;
    }

    private EventBuilder builder(SchemaVersion version, JsonNode data) {
        return EventBuilder.create(schemas)
                .type(version.type())
                .source(SOURCE)
                .project(PROJECT)
                .authType(AUTHTYPE)
                .dataSchema(version.uri())
                .data(data);
    }

    private List<SchemaVersion> versions(String type) {
        List<SchemaVersion> versions = schemas.versions(type);
        if (versions.isEmpty()) {
            throw new IllegalArgumentException("no schema is registered for event type '" + type
                    + "'; registered: " + schemas.types());
        }
        return versions;
    }

    private SchemaVersion newest(String type) {
        return versions(type).getLast();
    }

    private JsonNode firstExample(SchemaVersion version) {
        List<JsonNode> examples = version.examples();
        if (examples.isEmpty()) {
            throw new IllegalArgumentException(version.type() + " v" + version.version() + " lists no examples in its "
                    + "schema; add an \"examples\" array to it, or build the data yourself with EventBuilder");
        }
        return checked(version, 0, examples.getFirst());
    }

    /** Schema files are written by hand, and so are their examples: check one before a test trusts it. */
    private JsonNode checked(SchemaVersion version, int index, JsonNode example) {
        List<Violation> violations = schemas.validate(version.type(), version.uri(), example);
        if (!violations.isEmpty()) {
            throw new IllegalStateException("example " + (index + 1) + " of " + version.type() + " v" + version.version()
                    + " does not satisfy its own schema: " + violations);
        }
        return example;
    }
}
