package dev.herald.archive;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.schema.SchemaRegistry;
import dev.herald.transport.Capability;
import dev.herald.transport.Transport;
import dev.herald.transport.embedded.EmbeddedOptions;
import dev.herald.transport.embedded.EmbeddedTransport;
import dev.herald.transport.postgres.PostgresOptions;
import dev.herald.transport.postgres.PostgresTransport;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 100,000 events of 5 types exported from a real store and read back with parquet-java (not DuckDB,
 * which wrote them): same count, ids, attributes and data; typed columns of the schema's types;
 * the redacted field absent everywhere.
 */
class RoundTripTest {

    static final int EVENTS = 100_000;
    static final int TYPES = 5;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void embeddedStore() throws Exception {
        SchemaRegistry schemas = TestSchemas.registry(dir.resolve("schemas"));
        try (Transport transport = EmbeddedTransport.open(dir.resolve("events.db"), EmbeddedOptions.defaults())) {
            roundTrip(transport, schemas);
        }
    }

    @Test
    void postgres() throws Exception {
        String url = System.getProperty("herald.postgres.url", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
        String schema = "herald_archive_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
        SchemaRegistry schemas = TestSchemas.registry(dir.resolve("schemas"));
        try (Transport transport = PostgresTransport.open(url, PostgresOptions.defaults().withSchema(schema))) {
            roundTrip(transport, schemas);
        } finally {
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    private void roundTrip(Transport transport, SchemaRegistry schemas) throws Exception {
        // Without QUERY the export replays through a subscription: PostgreSQL's consumer does ~1,000
        // events/s here, so the replay path is checked on a fifth of the events to keep the suite lean.
        int events = transport.capabilities().contains(Capability.QUERY) ? EVENTS : EVENTS / 5;
        Map<String, CloudEvent> published = TestSchemas.publish(transport, schemas, events);
        Path out = dir.resolve("out");
        Exporter.Result result = new Exporter(transport, schemas).run(ExportSpec.to(out)
                .withRedaction(Redaction.of(List.of("data/user/email"))).withRowsPerFile(40_000),
                Exporter.Progress.NONE);
        assertThat(result.rowsTotal()).isEqualTo(events);

        Set<String> seen = new HashSet<>();
        List<Path> files = ParquetFiles.under(out);
        assertThat(files).allSatisfy(f -> assertThat(out.relativize(f).toString())
                .matches("type=t\\.\\d/date=\\d{4}-\\d{2}-\\d{2}/part-\\d{5}\\.parquet"));
        for (Path file : files) {
            ParquetFiles.Content content = ParquetFiles.read(file);
            assertTypedColumns(content);
            assertThat(Files.exists(file.resolveSibling("_schema.json"))).isTrue();
            for (Group row : content.rows()) {
                String id = row.getString("id", 0);
                assertThat(seen.add(id)).as("duplicate row %s", id).isTrue();
                CloudEvent event = published.get(id);
                assertThat(event).as("row %s was published", id).isNotNull();
                assertThat(row.getString("type", 0)).isEqualTo(event.getType());
                assertThat(row.getString("source", 0)).isEqualTo(event.getSource().toString());
                assertThat(row.getString("subject", 0)).isEqualTo(event.getSubject());
                assertThat(row.getString("project", 0)).isEqualTo(event.getExtension("project"));
                assertThat(row.getString("authid", 0)).isEqualTo(event.getExtension("authid"));
                assertThat(row.getString("dataschema", 0)).isEqualTo(event.getDataSchema().toString());
                assertThat(row.getInteger("schemaversion", 0)).isEqualTo(1);
                assertThat(row.getLong("time", 0)).isEqualTo(micros(event.getTime()));
                ObjectNode expected = (ObjectNode) JSON.readTree(event.getData().toBytes());
                ((ObjectNode) expected.get("user")).remove("email");
                JsonNode data = JSON.readTree(row.getString("data", 0));
                assertThat(data).isEqualTo(expected);
                assertThat(row.getString("data", 0)).doesNotContain("@example.com");
                assertThat(row.getLong("data_n", 0)).isEqualTo(expected.get("n").asLong());
                assertThat(row.getDouble("data_score", 0)).isEqualTo(expected.get("score").asDouble());
                assertThat(row.getBoolean("data_ok", 0)).isEqualTo(expected.get("ok").asBoolean());
                assertThat(row.getString("data_label", 0)).isEqualTo(expected.get("label").asText());
                Group user = row.getGroup("data_user", 0);
                assertThat(user.getLong("id", 0)).isEqualTo(expected.get("user").get("id").asLong());
                assertThat(user.getString("name", 0)).isEqualTo(expected.get("user").get("name").asText());
            }
        }
        assertThat(seen).hasSize(events).isEqualTo(published.keySet());

        Exporter.Result again = new Exporter(transport, schemas).run(ExportSpec.to(out)
                .withRedaction(Redaction.of(List.of("data/user/email"))).withRowsPerFile(40_000),
                Exporter.Progress.NONE);
        assertThat(again.rowsThisRun()).as("a second run writes nothing new").isZero();
        assertThat(ParquetFiles.under(out)).isEqualTo(files);
    }

    private static void assertTypedColumns(ParquetFiles.Content content) {
        Map<String, Type> fields = new HashMap<>();
        content.schema().getFields().forEach(f -> fields.put(f.getName(), f));
        assertThat(primitive(fields, "data_n")).isEqualTo(PrimitiveType.PrimitiveTypeName.INT64);
        assertThat(primitive(fields, "data_score")).isEqualTo(PrimitiveType.PrimitiveTypeName.DOUBLE);
        assertThat(primitive(fields, "data_ok")).isEqualTo(PrimitiveType.PrimitiveTypeName.BOOLEAN);
        assertThat(fields.get("data_label").getLogicalTypeAnnotation())
                .isEqualTo(LogicalTypeAnnotation.stringType());
        assertThat(fields.get("data_at").getLogicalTypeAnnotation())
                .isInstanceOf(LogicalTypeAnnotation.TimestampLogicalTypeAnnotation.class);
        assertThat(fields.get("time").getLogicalTypeAnnotation())
                .isInstanceOf(LogicalTypeAnnotation.TimestampLogicalTypeAnnotation.class);
        Type user = fields.get("data_user");
        assertThat(user.isPrimitive()).isFalse();
        assertThat(user.asGroupType().containsField("id")).isTrue();
        assertThat(user.asGroupType().containsField("email")).as("redacted struct field").isFalse();
        assertThat(fields).as("open objects and arrays stay in data only").doesNotContainKeys("data_tags",
                "data_meta");
    }

    private static PrimitiveType.PrimitiveTypeName primitive(Map<String, Type> fields, String name) {
        return fields.get(name).asPrimitiveType().getPrimitiveTypeName();
    }

    static long micros(OffsetDateTime time) {
        return time.toInstant().getEpochSecond() * 1_000_000L + time.toInstant().getNano() / 1_000;
    }
}
