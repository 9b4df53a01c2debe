package dev.herald.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.event.EnvelopeRules;
import dev.herald.event.EventBuilder;
import dev.herald.event.InvalidEventException;
import dev.herald.event.JsonEvents;
import dev.herald.schema.EventValidator;
import dev.herald.schema.SchemaRegistry;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EncodedEventTest {

    private static CloudEventBuilder event(String id) {
        return CloudEventBuilder.v1().withId(id).withType("test.happened").withSource(URI.create("/test"))
                .withTime(OffsetDateTime.parse("2026-12-01T10:00:00Z"));
    }

    @Test
    void theOrderingKeyIsThePartitionKeyElseTheProjectElseTheSubjectElseNone() {
        CloudEvent all = event("1").withExtension("partitionkey", "pk").withExtension("project", "p").withSubject("s")
                .build();
        assertThat(EncodedEvent.of(all).orderingKey()).isEqualTo("pk");
        assertThat(EncodedEvent.of(event("2").withExtension("project", "p").withSubject("s").build()).orderingKey())
                .isEqualTo("p");
        assertThat(EncodedEvent.of(event("3").withSubject("s").build()).orderingKey()).isEqualTo("s");
        EncodedEvent unordered = EncodedEvent.of(event("4").build());
        assertThat(unordered.orderingKey()).isNull();
        assertThat(unordered.orderingKeyOrEmpty()).isEmpty();
    }

    @Test
    void theBytesAreTheStructuredFormAndReadBackToTheSameEvent() {
        CloudEvent original = event("1").withSubject("s").withData("application/json",
                "{\"a\":1}".getBytes(StandardCharsets.UTF_8)).build();
        EncodedEvent encoded = EncodedEvent.of(original);
        assertThat(encoded.json()).isEqualTo(JsonEvents.write(original));
        CloudEvent read = new JsonEvents().readEvent(encoded.json());
        assertThat(read.getId()).isEqualTo("1");
        assertThat(read.getSubject()).isEqualTo("s");
        assertThat(read.getData().toBytes()).asString(StandardCharsets.UTF_8).isEqualTo("{\"a\":1}");
    }

    @Test
    void anEventWithoutBytesIsRefused() {
        CloudEvent original = event("1").build();
        assertThatThrownBy(() -> new EncodedEvent(original, new byte[0], null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("json");
        assertThatThrownBy(() -> new EncodedEvent(original, null, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new EncodedEvent(null, new byte[] {'{'}, null))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void theValidatorMeasuresTheSizeOnTheBytesItHandsOn() {
        SchemaRegistry schemas = SchemaRegistry.builtinCatalog();
        CloudEvent original = EventBuilder.create(schemas).type("ci.pipeline.created").source("/ci")
                .project("gid://gitlab/Project/1").data(Map.of("pipeline_id", 1)).build();
        int size = JsonEvents.write(original).length;

        List<EncodedEvent> encoded = new EventValidator(new EnvelopeRules(size), schemas).encode(List.of(original));
        assertThat(encoded).singleElement().satisfies(e -> {
            assertThat(e.event()).isSameAs(original);
            assertThat(e.json()).hasSize(size);
            assertThat(e.json()).isEqualTo(JsonEvents.write(original));
            assertThat(e.orderingKey()).isEqualTo("gid://gitlab/Project/1");
        });
        assertThatThrownBy(() -> new EventValidator(new EnvelopeRules(size - 1), schemas).encode(List.of(original)))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("at most " + (size - 1));
    }
}
