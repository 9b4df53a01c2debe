package dev.herald.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.fixtures.SharedFixtures;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Real GitLab webhook payloads carried as event data survive the structured and batch formats intact. */
class GitLabWebhookDataTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final JsonEvents json = new JsonEvents();

    private static List<Path> payloads() throws IOException {
        try (Stream<Path> files = Files.list(SharedFixtures.require("gitlab/webhooks"))) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
    }

    private static CloudEvent wrap(Path payload) throws IOException {
        String kind = payload.getFileName().toString().replace(".json", "");
        return EventBuilder.create().type("com.gitlab." + kind).source("https://gitlab.example.com/group/app")
                .data(MAPPER.readTree(payload.toFile())).build();
    }

    @Test
    void everyPayloadRoundTripsAsStructuredEventData() throws IOException {
        List<Path> payloads = payloads();
        assertThat(payloads).hasSizeGreaterThanOrEqualTo(28);

        for (Path payload : payloads) {
            JsonNode original = MAPPER.readTree(payload.toFile());
            CloudEvent read = json.readEvent(JsonEvents.write(wrap(payload)));
            assertThat(EventData.json(read)).as(payload.getFileName().toString()).contains(original);
        }
    }

    @Test
    void allPayloadsRoundTripAsOneBatch() throws IOException {
        List<CloudEvent> events = payloads().stream().map(p -> {
            try {
                return wrap(p);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }).toList();

        List<CloudEvent> read = json.readBatch(JsonEvents.writeBatch(events));

        assertThat(read).hasSameSizeAs(events);
        for (int i = 0; i < events.size(); i++) {
            assertThat(EventData.json(read.get(i))).isEqualTo(EventData.json(events.get(i)));
            assertThat(read.get(i).getId()).isEqualTo(events.get(i).getId());
        }
    }
}
