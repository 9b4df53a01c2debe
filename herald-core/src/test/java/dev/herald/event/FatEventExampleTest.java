package dev.herald.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;

/** The fat-event example from the proposal that defined Herald's event shape. */
class FatEventExampleTest {

    static byte[] fatEventExample() throws IOException {
        try (InputStream in = FatEventExampleTest.class.getResourceAsStream("/fixtures/fat-event-example.json")) {
            return in.readAllBytes();
        }
    }

    private final JsonEvents json = new JsonEvents();

    @Test
    void roundTripsExactly() throws IOException {
        byte[] original = fatEventExample();

        byte[] written = JsonEvents.write(json.readEvent(original));

        ObjectMapper mapper = new ObjectMapper();
        assertThat(mapper.readTree(written)).isEqualTo(mapper.readTree(original));
    }

    @Test
    void exposesEveryAttributeTyped() throws IOException {
        CloudEvent event = json.readEvent(fatEventExample());

        assertThat(event.getType()).isEqualTo("vulnerabilities.new_finding");
        assertThat(event.getId()).isEqualTo("94CCCB18-51C0-4D39-8EBA-DDC376BCAFF0");
        assertThat(event.getSubject()).isEqualTo("gid://gitlab/Vulnerability/541");
        assertThat(event.getTime()).isEqualTo(OffsetDateTime.parse("2018-04-05T17:31:00Z"));
        assertThat(event.getDataSchema())
                .isEqualTo(URI.create("https://schemas.gitlab.com/17.5/vulnerabilities/new_finding.json"));
        assertThat(HeraldAttributes.project(event)).contains("gid://gitlab/Project/392359");
        assertThat(HeraldAttributes.authType(event)).contains("app_user");
        assertThat(HeraldAttributes.authId(event)).contains("gid://gitlab/User/123");
        assertThat(HeraldAttributes.orderingKey(event)).contains("gid://gitlab/Project/392359");
        JsonNode data = EventData.json(event).orElseThrow();
        assertThat(data.get("severity_overridden").isBoolean()).isTrue();
        assertThat(data.get("dismissed_at").isNull()).isTrue();
        assertThat(data.at("/identifiers/0/external_type").asText()).isEqualTo("CVE");
    }

    @Test
    void bindsDataToARecord() throws IOException {
        CloudEvent event = json.readEvent(fatEventExample());

        record Data(String title, String severity, String state) {
        }
        Data data = EventData.as(event, Data.class);

        assertThat(data).isEqualTo(new Data("Test finding", "low", "detected"));
    }
}
