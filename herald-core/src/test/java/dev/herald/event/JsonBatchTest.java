package dev.herald.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudevents.CloudEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonBatchTest {

    private final JsonEvents json = new JsonEvents();

    private static CloudEvent event(int n) {
        return EventBuilder.create().type("ci.pipeline.created").source("/ci").project("p" + n)
                .data(java.util.Map.of("n", n)).build();
    }

    @Test
    void batchRoundTripsInOrder() {
        List<CloudEvent> events = List.of(event(1), event(2), event(3));

        List<CloudEvent> read = json.readBatch(JsonEvents.writeBatch(events));

        assertThat(read).isEqualTo(events);
    }

    @Test
    void emptyBatchIsAnEmptyList() {
        assertThat(json.readBatch("[]".getBytes(StandardCharsets.UTF_8))).isEmpty();
    }

    @Test
    void oneBadEventFailsTheWholeBatchNamingItsIndex() {
        String batch = new String(JsonEvents.writeBatch(List.of(event(1), event(2))), StandardCharsets.UTF_8)
                .replaceFirst("(\\},\\{.*?)\"source\":\"/ci\",?", "$1");

        assertThatThrownBy(() -> json.readBatch(batch.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(InvalidEventException.class, e -> assertThat(e.violations())
                        .extracting(Violation::where).containsExactly("[1].source"));
    }

    @Test
    void anObjectIsNotABatch() {
        byte[] single = JsonEvents.write(event(1));

        assertThatThrownBy(() -> json.readBatch(single))
                .isInstanceOfSatisfying(InvalidEventException.class, e -> assertThat(e.violations())
                        .singleElement().satisfies(v -> assertThat(v.rule()).isEqualTo("must be a JSON array of events")));
        assertThat(json.readEventOrBatch(single)).hasSize(1);
    }

    @Test
    void nonObjectElementsAreRefused() {
        assertThatThrownBy(() -> json.readBatch("[1, \"x\"]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(InvalidEventException.class, e -> assertThat(e.violations())
                        .extracting(Violation::toString)
                        .containsExactly("[0].event: must be a JSON object (value: number)",
                                "[1].event: must be a JSON object (value: string)"));
    }
}
