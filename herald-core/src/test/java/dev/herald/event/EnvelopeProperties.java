package dev.herald.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cloudevents.CloudEvent;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Properties of the envelope: what round-trips, what is refused, and that nothing else escapes. */
class EnvelopeProperties {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final JsonEvents json = new JsonEvents();

    @Provide
    Arbitrary<CloudEvent> events() {
        Arbitrary<String> words = Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(12);
        Arbitrary<String> anyText = Arbitraries.strings().ofMaxLength(40);
        // Attributes refuse control characters (LogForgingTest covers that rule); data may hold any text.
        Arbitrary<String> attributeText = anyText.filter(s -> s.chars().noneMatch(c -> Character.getType(c) == Character.CONTROL));
        Arbitrary<OffsetDateTime> times = Arbitraries.longs().between(0, 4_000_000_000_000L)
                .map(ms -> OffsetDateTime.ofInstant(Instant.ofEpochMilli(ms), ZoneOffset.ofHours((int) (ms % 13))));
        Arbitrary<Map<String, String>> data = Arbitraries.maps(words, anyText).ofMaxSize(5);
        return Combinators.combine(words, words, attributeText, times, data, words.injectNull(0.5),
                        attributeText.injectNull(0.5))
                .as((type, source, subject, time, payload, project, correlation) -> {
                    EventBuilder builder = EventBuilder.create().type("t." + type).source("/" + source)
                            .time(time).data(payload).project(project == null ? null : "gid://x/Project/" + project);
                    if (!subject.isEmpty()) {
                        builder.subject(subject);
                    }
                    if (correlation != null && !correlation.isBlank()) {
                        builder.correlationId(correlation);
                    }
                    return builder.build();
                });
    }

    @Property
    void structuredFormRoundTrips(@ForAll("events") CloudEvent event) {
        assertThat(json.readEvent(JsonEvents.write(event))).isEqualTo(event);
    }

    @Property(tries = 50)
    void batchFormRoundTrips(@ForAll("batches") List<CloudEvent> events) {
        assertThat(json.readBatch(JsonEvents.writeBatch(events))).isEqualTo(events);
    }

    @Provide
    Arbitrary<List<CloudEvent>> batches() {
        return events().list().ofMaxSize(20);
    }

    @Property
    void extensionNamesOutsideTheRuleAreRefusedByName(@ForAll("badNames") String name) throws Exception {
        JsonNode document = MAPPER.readTree(JsonEvents.write(EventBuilder.create().type("a.b").source("/s").build()));
        ((com.fasterxml.jackson.databind.node.ObjectNode) document).put(name, "v");

        Throwable thrown = catchThrowable(() -> json.readEvent(MAPPER.writeValueAsBytes(document)));

        assertThat(thrown).isInstanceOfSatisfying(InvalidEventException.class, e -> assertThat(e.violations())
                .anySatisfy(v -> assertThat(v.where()).isEqualTo(name)));
    }

    @Provide
    Arbitrary<String> badNames() {
        return Arbitraries.strings().withChars("abcXYZ_-.é09 ").ofMinLength(1).ofMaxLength(10)
                .filter(s -> !s.matches("[a-z0-9]+"))
                .filter(s -> !List.of("data", "data_base64").contains(s));
    }

    /** Whatever bytes arrive, the reader answers with events or violations, never another exception. */
    @Property(tries = 500)
    void arbitraryInputYieldsEventsOrViolations(@ForAll("documents") String document) {
        Throwable thrown = catchThrowable(() -> json.readEventOrBatch(document.getBytes(StandardCharsets.UTF_8)));

        assertThat(thrown).satisfiesAnyOf(
                t -> assertThat(t).isNull(),
                t -> assertThat(t).isInstanceOfSatisfying(InvalidEventException.class,
                        e -> assertThat(e.violations()).isNotEmpty()));
    }

    @Provide
    Arbitrary<String> documents() {
        Arbitrary<String> attribute = Arbitraries.of("specversion", "id", "source", "type", "time", "subject",
                "dataschema", "datacontenttype", "data", "data_base64", "project", "traceparent", "X");
        Arbitrary<String> value = Arbitraries.oneOf(
                Arbitraries.of("\"1.0\"", "\"0.3\"", "\"\"", "1", "true", "null", "[]", "{}", "{\"a\":1}",
                        "\"2026-01-01T00:00:00Z\"", "\"/src\"", "\"http://x y\"", "\"eyJhIjoxfQ==\"", "\"!!\""),
                Arbitraries.strings().ofMaxLength(8).map(s -> MAPPER.valueToTree(s).toString()));
        Arbitrary<String> member = Combinators.combine(attribute, value).as((a, v) -> "\"" + a + "\":" + v);
        Arbitrary<String> object = member.list().ofMaxSize(10).map(m -> "{" + String.join(",", m) + "}");
        return Arbitraries.oneOf(object, object.list().ofMaxSize(3).map(o -> "[" + String.join(",", o) + "]"),
                Arbitraries.strings().ofMaxLength(30));
    }

    @Property
    void dataschemaMustBeAbsolute(@ForAll("relativePaths") String path) {
        Throwable thrown = catchThrowable(() -> EventBuilder.create().type("a.b").source("/s")
                .dataSchema(URI.create(path)).build());

        assertThat(thrown).isInstanceOfSatisfying(InvalidEventException.class, e -> assertThat(e.violations())
                .extracting(Violation::where).containsExactly("dataschema"));
    }

    @Provide
    Arbitrary<String> relativePaths() {
        return Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(10).map(s -> "schemas/" + s + ".json");
    }
}
