package dev.herald.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudevents.CloudEvent;
import java.net.URI;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventBuilderTest {

    private static final URI SCHEMA = URI.create("http://localhost:8080/v1/schemas/ci.pipeline.created/v2");

    private static EventBuilder pipelineCreated() {
        DataSchemaResolver schemas = type -> type.equals("ci.pipeline.created") ? Optional.of(SCHEMA) : Optional.empty();
        return EventBuilder.create(schemas).type("ci.pipeline.created").source("/ci").data(Map.of("id", 7));
    }

    @Test
    void fillsTheDefaultsAProducerShouldNotThinkAbout() {
        OffsetDateTime before = OffsetDateTime.now(ZoneOffset.UTC);

        CloudEvent event = pipelineCreated().build();

        assertThat(UUID.fromString(event.getId()).version()).isEqualTo(7);
        assertThat(event.getTime().getOffset()).isEqualTo(ZoneOffset.UTC);
        assertThat(Duration.between(before, event.getTime())).isBetween(Duration.ofMillis(-1), Duration.ofSeconds(5));
        assertThat(event.getSpecVersion().toString()).isEqualTo("1.0");
        assertThat(event.getDataContentType()).isEqualTo("application/json");
        assertThat(event.getDataSchema()).isEqualTo(SCHEMA);
    }

    @Test
    void idsAreTimeOrdered() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            ids.add(pipelineCreated().build().getId());
        }

        assertThat(ids).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void keepsWhatTheProducerSet() {
        OffsetDateTime time = OffsetDateTime.parse("2024-01-02T03:04:05.123456Z");
        URI older = URI.create("http://localhost:8080/v1/schemas/ci.pipeline.created/v1");

        CloudEvent event = pipelineCreated().id("fixed").time(time).dataSchema(older)
                .project("gid://gitlab/Project/1").authType("system").authId("gid://gitlab/User/2")
                .correlationId("req-1").causationId("evt-0").partitionKey("k")
                .traceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01").tracestate("a=b")
                .build();

        assertThat(event.getId()).isEqualTo("fixed");
        assertThat(event.getTime()).isEqualTo(time);
        assertThat(event.getDataSchema()).isEqualTo(older);
        assertThat(HeraldAttributes.project(event)).contains("gid://gitlab/Project/1");
        assertThat(HeraldAttributes.authType(event)).contains("system");
        assertThat(HeraldAttributes.authId(event)).contains("gid://gitlab/User/2");
        assertThat(HeraldAttributes.correlationId(event)).contains("req-1");
        assertThat(HeraldAttributes.causationId(event)).contains("evt-0");
        assertThat(HeraldAttributes.partitionKey(event)).contains("k");
        assertThat(HeraldAttributes.orderingKey(event)).contains("k");
        assertThat(HeraldAttributes.traceparent(event)).contains("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        assertThat(HeraldAttributes.tracestate(event)).contains("a=b");
    }

    @Test
    void orderingKeyFallsBackToProjectThenSubject() {
        assertThat(HeraldAttributes.orderingKey(pipelineCreated().project("p").subject("s").build())).contains("p");
        assertThat(HeraldAttributes.orderingKey(pipelineCreated().subject("s").build())).contains("s");
        assertThat(HeraldAttributes.orderingKey(pipelineCreated().build())).isEmpty();
    }

    @Test
    void leavesDataschemaUnsetForATypeWithoutSchema() {
        CloudEvent event = EventBuilder.create(type -> Optional.empty()).type("x.y").source("/x").build();

        assertThat(event.getDataSchema()).isNull();
    }

    @Test
    void refusesAMissingSourceWithAViolation() {
        assertThatThrownBy(() -> EventBuilder.create().type("x.y").build())
                .isInstanceOfSatisfying(InvalidEventException.class,
                        e -> assertThat(e.violations()).extracting(Violation::toString)
                                .containsExactly("source: is required"));
    }

    @Test
    void refusesNonJsonData() {
        assertThatThrownBy(() -> pipelineCreated().data("text/plain", "hello".getBytes()).build())
                .isInstanceOfSatisfying(InvalidEventException.class,
                        e -> assertThat(e.violations()).extracting(Violation::where).containsExactly("datacontenttype"));
    }

    @Test
    void fromKeepsIdTimeAndSchema() {
        CloudEvent original = pipelineCreated().build();

        CloudEvent copy = EventBuilder.from(original).project("p").build();

        assertThat(copy.getId()).isEqualTo(original.getId());
        assertThat(copy.getTime()).isEqualTo(original.getTime());
        assertThat(copy.getDataSchema()).isEqualTo(original.getDataSchema());
        assertThat(HeraldAttributes.project(copy)).contains("p");
    }
}
