package dev.herald.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each envelope rule, through the JSON reader (where producers outside the JVM meet it). */
class EnvelopeRulesTest {

    private static final String VALID = """
            {"specversion":"1.0","id":"e-1","source":"/ci","type":"ci.pipeline.created",
             "time":"2026-11-01T10:00:00Z","datacontenttype":"application/json","data":{"id":1}}""";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final JsonEvents json = new JsonEvents();

    private List<Violation> violationsOf(String document) {
        return violationsOf(json, document);
    }

    private static List<Violation> violationsOf(JsonEvents reader, String document) {
        try {
            reader.readEvent(document.getBytes(StandardCharsets.UTF_8));
            return List.of();
        } catch (InvalidEventException e) {
            return e.violations();
        }
    }

    /** The valid event with one top-level attribute replaced or added; a null JSON value removes it. */
    private static String with(String attribute, String jsonValue) {
        try {
            ObjectNode document = (ObjectNode) MAPPER.readTree(VALID);
            document.remove(attribute);
            if (jsonValue != null) {
                document.set(attribute, MAPPER.readTree(jsonValue));
            }
            return MAPPER.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void validEventHasNoViolations() {
        assertThat(violationsOf(VALID)).isEmpty();
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        "id          | NULL                     | id          | is required",
        "id          | '\"\"'                   | id          | is required and must be a non-empty string",
        "source      | NULL                     | source      | is required",
        "source      | '\"http://bad host/\"'   | source      | must be a URI-reference",
        "source      | '\"\"'                   | source      | is required and must be a non-empty",
        "type        | NULL                     | type        | is required",
        "type        | 42                       | type        | must be a string",
        "specversion | '\"0.3\"'                | specversion | must be 1.0",
        "time        | NULL                     | time        | is required",
        "time        | '\"yesterday\"'          | time        | must be an RFC 3339 timestamp",
        "time        | '\"2026-11-01T10:00:00\"'| time        | must be an RFC 3339 timestamp",
        "dataschema  | '\"schemas/x.json\"'     | dataschema  | must be an absolute URI",
        "Project     | '\"p\"'                  | Project     | extension names use only lowercase",
        "auth_type   | '\"p\"'                  | auth_type   | extension names use only lowercase",
        "project     | 42                       | project     | must be a string",
        "authid      | '{\"a\":1}'              | authid      | extension values must be a string",
        "correlationid | '\"\"'                 | correlationid | must not be empty",
        "traceparent | '\"abc\"'                | traceparent | must be a W3C traceparent",
        "datacontenttype | '\"text/plain\"'     | datacontenttype | must be application/json or a +json type",
    })
    void refusesWithThePreciseAttributeAndRule(String attribute, String value, String where, String rule) {
        List<Violation> violations = violationsOf(with(attribute, value));

        assertThat(violations).anySatisfy(v -> {
            assertThat(v.where()).isEqualTo(where);
            assertThat(v.rule()).contains(rule);
        });
    }

    @Test
    void reportsEveryViolationNotJustTheFirst() {
        List<Violation> violations = violationsOf(with("source", null).replace("\"e-1\"", "\"\""));

        assertThat(violations).extracting(Violation::where).contains("id", "source");
    }

    @Test
    void refusesMalformedJsonWithItsPosition() {
        assertThat(violationsOf("{\"id\": \"x\",\n  \"type\": }"))
                .singleElement()
                .satisfies(v -> assertThat(v.rule()).startsWith("malformed JSON at line 2, column"));
    }

    @Test
    void refusesBase64DataThatIsNotJson() {
        String document = with("data", null).replaceFirst("\\{", "{\"data_base64\":\"bm90IGpzb24=\",");

        assertThat(violationsOf(document)).anySatisfy(v -> {
            assertThat(v.where()).isEqualTo("data");
            assertThat(v.rule()).startsWith("must be well-formed JSON");
            assertThat(v.value()).isEqualTo("not json");
        });
    }

    @Test
    void acceptsBase64DataThatIsJson() {
        String document = with("data", null).replaceFirst("\\{", "{\"data_base64\":\"eyJpZCI6MX0=\",");

        assertThat(violationsOf(document)).isEmpty();
    }

    @Test
    void refusesEventsOverTheSizeLimit() {
        JsonEvents small = new JsonEvents(new EnvelopeRules(200));
        String big = with("data", "{\"text\":\"" + "x".repeat(300) + "\"}");

        assertThat(violationsOf(small, big)).singleElement().satisfies(v -> {
            assertThat(v.where()).isEqualTo("event");
            assertThat(v.rule()).isEqualTo("must be at most 200 bytes");
        });
        assertThat(violationsOf(small, VALID)).isEmpty();
    }

    @Test
    void defaultLimitIsOneMebibyte() {
        String justOver = with("data", "{\"text\":\"" + "x".repeat(EnvelopeRules.DEFAULT_MAX_EVENT_BYTES) + "\"}");

        assertThat(violationsOf(justOver)).extracting(Violation::rule).contains("must be at most 1048576 bytes");
    }

    @Test
    void refusesAnArrayWhereOneEventIsExpected() {
        assertThatThrownBy(() -> json.readEvent(("[" + VALID + "]").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("use application/cloudevents-batch+json");
    }

    @Test
    void truncatesHugeOffendingValues() {
        List<Violation> violations = violationsOf(with("time", "\"" + "9".repeat(5000) + "\""));

        assertThat(violations).singleElement()
                .satisfies(v -> assertThat(v.value()).hasSize(Violation.MAX_VALUE_CHARS).endsWith("…"));
    }
}
