package dev.herald.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.event.EnvelopeRules;
import dev.herald.event.EventData;
import dev.herald.event.HeraldAttributes;
import dev.herald.schema.Compatibility;
import dev.herald.schema.EventValidator;
import dev.herald.schema.SchemaRegistry;
import io.cloudevents.CloudEvent;
import org.junit.jupiter.api.Test;

class EventFixturesTest {

    private final SchemaRegistry registry = SchemaRegistry.builtinCatalog();
    private final EventFixtures fixtures = EventFixtures.of(registry);
    private final EventValidator validator = new EventValidator(EnvelopeRules.defaults(), registry);

    @Test
    void everyRegisteredTypeHasValidFixtures() {
        for (String type : registry.types()) {
            assertThat(validator.check(fixtures.event(type).build())).as(type).isEmpty();
            assertThat(fixtures.examples(type)).as(type).isNotEmpty()
                    .allSatisfy(event -> assertThat(validator.check(event)).as(type).isEmpty());
        }
    }

    @Test
    void aFixtureCarriesTheNewestVersionsFirstExampleAndTheDefaults() {
        CloudEvent finished = fixtures.event("ci.pipeline.finished").build();

        assertThat(finished.getDataSchema()).isEqualTo(registry.latest("ci.pipeline.finished").orElseThrow().uri());
        assertThat(EventData.json(finished).orElseThrow())
                .isEqualTo(registry.latest("ci.pipeline.finished").orElseThrow().examples().getFirst());
        assertThat(finished.getSource()).hasToString(EventFixtures.SOURCE);
        assertThat(HeraldAttributes.project(finished)).contains(EventFixtures.PROJECT);
        assertThat(HeraldAttributes.authType(finished)).contains(EventFixtures.AUTHTYPE);
        assertThat(fixtures.examples("ci.pipeline.finished")).hasSize(4)
                .extracting(CloudEvent::getDataSchema).containsExactly(
                        registry.find("ci.pipeline.finished", 1).orElseThrow().uri(),
                        registry.find("ci.pipeline.finished", 1).orElseThrow().uri(),
                        registry.find("ci.pipeline.finished", 2).orElseThrow().uri(),
                        registry.find("ci.pipeline.finished", 2).orElseThrow().uri());
    }

    @Test
    void anEditChangesACopyOfTheExample() {
        CloudEvent failed = fixtures.event("ci.pipeline.finished", data -> data.put("status", "failed")).build();

        assertThat(EventData.json(failed).orElseThrow().path("status").asText()).isEqualTo("failed");
        assertThat(fixtures.data("ci.pipeline.finished").path("status").asText()).isEqualTo("success");
    }

    @Test
    void anUnknownTypeOrAMissingExampleIsNamed() throws Exception {
        assertThatThrownBy(() -> fixtures.event("ci.pipline.created"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no schema is registered for event type 'ci.pipline.created'; registered: [");
        JsonNode noExamples = new ObjectMapper().readTree("{\"type\": \"object\"}");
        registry.register("billing.invoice_sent", noExamples, Compatibility.BACKWARD);
        assertThatThrownBy(() -> fixtures.event("billing.invoice_sent"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("billing.invoice_sent v1 lists no examples in its schema");
    }

    @Test
    void anExampleThatBreaksItsOwnSchemaIsRefused() throws Exception {
        JsonNode lying = new ObjectMapper().readTree(
                "{\"type\": \"object\", \"required\": [\"amount\"], \"examples\": [{\"total\": 3}]}");
        registry.register("billing.invoice_sent", lying, Compatibility.BACKWARD);

        assertThatThrownBy(() -> fixtures.event("billing.invoice_sent"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("example 1 of billing.invoice_sent v1 does not satisfy its own schema")
                .hasMessageContaining("property 'amount' is missing");
    }
}
