package dev.herald.archive;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.schema.SchemaRegistry;
import dev.herald.transport.Transport;
import dev.herald.transport.embedded.EmbeddedOptions;
import dev.herald.transport.embedded.EmbeddedTransport;
import io.cloudevents.CloudEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --format jsonl}: events of the five test types exported as JSON lines and read back with
 * Jackson alone: every event once, with its attributes, {@code data}, typed columns of JSON's own types
 * (numbers, booleans, the closed object as a nested object) and the redacted field absent.
 */
class JsonLinesRoundTripTest {

    private static final int EVENTS = 2_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void exportsEveryEventOnceAsJsonLines() throws Exception {
        SchemaRegistry schemas = TestSchemas.registry(dir.resolve("schemas"));
        try (Transport transport = EmbeddedTransport.open(dir.resolve("events.db"), EmbeddedOptions.defaults())) {
            Map<String, CloudEvent> published = TestSchemas.publish(transport, schemas, EVENTS);
            Path out = dir.resolve("out");
            ExportSpec spec = ExportSpec.to(out).withFormat(ArchiveFormat.JSONL).withRowsPerFile(700)
                    .withRedaction(Redaction.of(List.of("data/user/email", "authid")));
            assertThat(new Exporter(transport, schemas).run(spec, Exporter.Progress.NONE).rowsTotal())
                    .isEqualTo(EVENTS);

            List<Path> files;
            try (Stream<Path> paths = Files.walk(out)) {
                files = paths.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList();
            }
            assertThat(files).isNotEmpty().allSatisfy(f -> assertThat(out.relativize(f).toString())
                    .matches("type=t\\.\\d/date=\\d{4}-\\d{2}-\\d{2}/part-\\d{5}\\.jsonl"));
            Set<String> seen = new HashSet<>();
            for (Path file : files) {
                for (String line : Files.readAllLines(file)) {
                    JsonNode row = JSON.readTree(line);
                    String id = row.path("id").asText();
                    assertThat(seen.add(id)).as("duplicate row %s", id).isTrue();
                    CloudEvent event = published.get(id);
                    assertThat(event).as("row %s was published", id).isNotNull();
                    assertRow(row, event);
                    assertThat(out.relativize(file).toString()).startsWith("type=" + event.getType() + "/date="
                            + event.getTime().toLocalDate());
                }
            }
            assertThat(seen).isEqualTo(published.keySet());

            assertThat(new Exporter(transport, schemas).run(spec, Exporter.Progress.NONE).rowsThisRun())
                    .as("a second run writes nothing new").isZero();
        }
    }

    private static void assertRow(JsonNode row, CloudEvent event) throws Exception {
        assertThat(row.path("type").asText()).isEqualTo(event.getType());
        assertThat(row.path("source").asText()).isEqualTo(event.getSource().toString());
        assertThat(row.path("subject").asText()).isEqualTo(event.getSubject());
        assertThat(row.path("project").asText()).isEqualTo(event.getExtension("project"));
        assertThat(row.path("dataschema").asText()).isEqualTo(event.getDataSchema().toString());
        assertThat(row.path("schemaversion").asInt()).isEqualTo(1);
        assertThat(OffsetDateTime.parse(row.path("time").asText().replace(' ', 'T').replaceAll("\\+00$", "Z"))
                .toInstant()).isEqualTo(event.getTime().toInstant());
        assertThat(row.has("authid") && !row.get("authid").isNull()).as("redacted attribute").isFalse();

        ObjectNode expected = (ObjectNode) JSON.readTree(event.getData().toBytes());
        ((ObjectNode) expected.get("user")).remove("email");
        assertThat(JSON.readTree(row.path("data").asText())).isEqualTo(expected);
        assertThat(row.toString()).doesNotContain("@example.com");
        assertThat(row.path("data_n").isIntegralNumber()).isTrue();
        assertThat(row.path("data_n").asLong()).isEqualTo(expected.get("n").asLong());
        assertThat(row.path("data_score").asDouble()).isEqualTo(expected.get("score").asDouble());
        assertThat(row.path("data_ok").isBoolean()).isTrue();
        assertThat(row.path("data_ok").asBoolean()).isEqualTo(expected.get("ok").asBoolean());
        assertThat(row.path("data_label").asText()).isEqualTo(expected.get("label").asText());
        assertThat(row.path("data_user").path("id").asLong()).isEqualTo(expected.get("user").get("id").asLong());
        assertThat(row.path("data_user").has("email")).as("redacted struct field").isFalse();
        assertThat(row.has("data_tags") || row.has("data_meta")).as("open objects and arrays stay in data")
                .isFalse();
    }
}
