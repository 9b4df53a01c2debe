package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.event.EnvelopeRules;
import dev.herald.event.JsonEvents;
import dev.herald.schema.EventValidator;
import dev.herald.schema.SchemaRegistry;
import io.cloudevents.CloudEvent;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class FatEventBodiesTest {

    private final FatEventBodies bodies = FatEventBodies.create();
    private final EventValidator validator = new EventValidator(EnvelopeRules.defaults(),
            SchemaRegistry.builtinCatalog());

    @Test
    void everyBodyIsAValidFatEventWithItsOwnIdAndSubject() {
        for (long n : new long[] {0, 1, 4095, 123_456_789L}) {
            byte[] body = bodies.structured(n);
            CloudEvent event = new JsonEvents().readEvent(body);
            assertThat(event.getId()).isEqualTo(bodies.id(n));
            assertThat(event.getType()).isEqualTo(FatEventBodies.TYPE);
            assertThat(event.getDataSchema()).as("left for the server to fill in").isNull();
            assertThat(body.length).isBetween(FatEvents.MIN_BYTES, FatEvents.MAX_BYTES);
            assertThat(validator.check(event)).as("event %d", n).isEmpty();
        }
        assertThat(new JsonEvents().readEvent(bodies.structured(7)).getSubject())
                .isNotEqualTo(new JsonEvents().readEvent(bodies.structured(8)).getSubject());
    }

    @Test
    void aBatchHoldsConsecutiveEvents() {
        List<CloudEvent> batch = new JsonEvents().readBatch(bodies.batch(10, 5));
        assertThat(batch).extracting(CloudEvent::getId)
                .containsExactly(bodies.id(10), bodies.id(11), bodies.id(12), bodies.id(13), bodies.id(14));
    }

    @Test
    void twoGeneratorsNeverShareAnId() {
        FatEventBodies other = FatEventBodies.create();
        assertThat(other.id(0)).isNotEqualTo(bodies.id(0));
        assertThat(java.util.stream.LongStream.range(0, 1000).mapToObj(bodies::id).collect(Collectors.toSet()))
                .hasSize(1000);
    }
}
