package dev.herald.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.transport.EncodedEvent;
import io.cloudevents.CloudEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The stored form of events read from JSON: the producer's own bytes of each event object when they say
 * exactly what was read, the event written anew otherwise — and in both cases bytes that read back to
 * the same event.
 */
class StoredFormTest {

    private static final String EVENT = "{\"specversion\": \"1.0\", \"id\": \"e-%s\", \"source\": \"/ci\","
            + " \"type\": \"ci.pipeline.created\", \"time\": \"%s\", \"project\": \"p\", \"n\": 7, \"ok\": true,"
            + " \"datacontenttype\": \"application/json\", \"data\": {\"a\": [1, 2.5, \"\\u00e9\"]}}";

    private final JsonEvents json = new JsonEvents();

    private static String event(String id) {
        return EVENT.formatted(id, "2026-12-01T10:00:00.120+01:00");
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(EncodedEvent encoded) {
        return new String(encoded.json(), StandardCharsets.UTF_8);
    }

    /** What the stored bytes read back to must be the event that was read and checked. */
    private void assertReadsBack(EncodedEvent encoded) {
        assertThat(json.readEvent(encoded.json())).isEqualTo(encoded.event());
    }

    @Test
    void aStructuredEventIsStoredAsTheProducerSentItWithoutSurroundingWhitespace() {
        EncodedEvent encoded = json.readEncodedEvent(utf8("\n  " + event("1") + " \r\n"));

        assertThat(text(encoded)).isEqualTo(event("1"));
        assertThat(encoded.event()).isEqualTo(json.readEvent(JsonEvents.write(encoded.event())));
        assertThat(encoded.orderingKey()).isEqualTo("p");
        assertReadsBack(encoded);
    }

    @Test
    void eachEventOfABatchIsItsObjectCutFromTheArray() {
        String batch = "[ " + event("1") + ",\n" + event("2") + "]";

        List<EncodedEvent> encoded = json.readEncodedBatch(utf8(batch));

        assertThat(encoded).extracting(StoredFormTest::text).containsExactly(event("1"), event("2"));
        assertThat(encoded).extracting(e -> e.event().getId()).containsExactly("e-1", "e-2");
        encoded.forEach(this::assertReadsBack);
    }

    @Test
    void aRepeatedNameIsNeverStoredAsSent() {
        String repeated = event("1").replace("\"type\": \"ci.pipeline.created\"",
                "\"type\": \"ci.pipeline.created\", \"type\": \"ci.pipeline.deleted\"");

        EncodedEvent encoded = json.readEncodedEvent(utf8(repeated));

        assertThat(encoded.event().getType()).as("the last one wins, as it always did").isEqualTo("ci.pipeline.deleted");
        assertThat(encoded.json()).isEqualTo(JsonEvents.write(encoded.event()));
        assertThat(text(encoded)).doesNotContain("ci.pipeline.created");
        assertThat(json.readEncodedBatch(utf8("[" + event("0") + "," + repeated + "]")))
                .allSatisfy(e -> assertThat(e.json()).isEqualTo(JsonEvents.write(e.event())));
    }

    @Test
    void aTimeOutsideRfc3339IsWrittenInItsCanonicalForm() {
        EncodedEvent encoded = json.readEncodedEvent(utf8(EVENT.formatted("1", "2026-12-01T10:00Z")));

        assertThat(text(encoded)).contains("\"time\":\"2026-12-01T10:00:00Z\"");
        assertReadsBack(encoded);
    }

    @Test
    void base64DataAndOtherJsonMediaTypesAreReadAndWrittenByTheSdk() {
        String base64 = "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"a.b\","
                + "\"time\":\"2026-12-01T10:00:00Z\",\"datacontenttype\":\"application/json\","
                + "\"data_base64\":\"eyJhIjoxfQ==\"}";
        String charset = event("1").replace("\"application/json\"", "\"text/json\"");

        for (String document : List.of(base64, charset)) {
            EncodedEvent encoded = json.readEncodedEvent(utf8(document));
            assertThat(encoded.json()).isEqualTo(JsonEvents.write(encoded.event()));
            assertThat(EventData.json(json.readEvent(encoded.json())))
                    .isEqualTo(EventData.json(encoded.event()));
        }
    }

    @Test
    void aMappedEventIsWrittenAsMapped() {
        EnvelopeMapping renameX = new EnvelopeMapping() {
            @Override
            public String name() {
                return "test";
            }

            @Override
            public boolean applies(ObjectNode event) {
                return event.has("x_y");
            }

            @Override
            public List<Violation> map(ObjectNode event) {
                event.set("xy", event.remove("x_y"));
                return List.of();
            }
        };
        String document = event("1").replace("\"n\": 7", "\"x_y\": \"v\"");

        EncodedEvent encoded = json.withMappings(List.of(renameX)).readEncodedEvent(utf8(document));

        assertThat(encoded.event().getExtension("xy")).isEqualTo("v");
        assertThat(encoded.json()).isEqualTo(JsonEvents.write(encoded.event()));
    }

    @Test
    void aDocumentInUtf16IsStoredAsUtf8() {
        EncodedEvent encoded = json.readEncodedEvent(event("1").getBytes(StandardCharsets.UTF_16BE));

        assertThat(encoded.json()).isEqualTo(JsonEvents.write(encoded.event()));
        assertReadsBack(encoded);
    }

    @Test
    void theSizeLimitIsMeasuredOnTheStoredBytes() {
        int size = utf8(event("1")).length;

        assertThat(new JsonEvents(new EnvelopeRules(size)).readEncodedEvent(utf8("  " + event("1") + "  ")).json())
                .hasSize(size);
        assertThatThrownBy(() -> new JsonEvents(new EnvelopeRules(size - 1)).readEncodedEvent(utf8(event("1"))))
                .isInstanceOfSatisfying(InvalidEventException.class, e -> assertThat(e.violations())
                        .extracting(Violation::toString)
                        .containsExactly("event: must be at most " + (size - 1) + " bytes (value: " + size + " bytes)"));
    }

    @Test
    void nullAndTruncatedElementsAreViolationsAsBefore() {
        assertThatThrownBy(() -> json.readBatch(utf8("[null, " + event("1") + "]")))
                .isInstanceOfSatisfying(InvalidEventException.class, e -> assertThat(e.violations())
                        .extracting(Violation::toString).containsExactly("[0].event: must be a JSON object (value: null)"));
        assertThatThrownBy(() -> json.readBatch(utf8("[" + event("1"))))
                .isInstanceOfSatisfying(InvalidEventException.class, e -> assertThat(e.violations())
                        .singleElement().satisfies(v -> assertThat(v.rule()).startsWith("malformed JSON at line 1")));
    }

    @Test
    void theEventReadIsTheEventTheSdkReads() {
        CloudEvent read = json.readEvent(utf8(event("1")));

        assertThat(read).isEqualTo(io.cloudevents.core.provider.EventFormatProvider.getInstance()
                .resolveFormat(JsonEvents.STRUCTURED).deserialize(utf8(event("1"))));
    }
}
