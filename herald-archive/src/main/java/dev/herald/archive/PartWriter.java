package dev.herald.archive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.event.HeraldAttributes;
import dev.herald.schema.SchemaRegistry;
import dev.herald.schema.SchemaVersion;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * Buffers rows in an in-memory DuckDB table (through its appender: no SQL per row) and writes them,
 * at a checkpoint, as one file per partition ({@code type=…/date=…/part-N.…}, see {@link Partitioning})
 * with DuckDB's own
 * Parquet (zstd) or JSON writer, typed columns computed by DuckDB from the staged {@code data}.
 * Not thread-safe: one writer per export or archive.
 */
final class PartWriter implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STAGE = "stage";

    private final DuckDBConnection duck;
    private final SchemaRegistry schemas;
    private final Redaction redaction;
    private final ArchiveFormat format;
    private final Partitioning partitioning;
    private final Map<String, Columns> columns = new HashMap<>();
    private DuckDBAppender appender;
    private int buffered;

    PartWriter(SchemaRegistry schemas, Redaction redaction, ArchiveFormat format, Partitioning partitioning) {
        this.schemas = schemas;
        this.redaction = redaction;
        this.format = format;
        this.partitioning = partitioning;
        try {
            Connection connection = DriverManager.getConnection("jdbc:duckdb:");
            this.duck = connection.unwrap(DuckDBConnection.class);
            try (Statement s = duck.createStatement()) {
                s.execute("SET TimeZone = 'UTC'");
                s.execute("CREATE TABLE " + STAGE + " (" + String.join(", ", Columns.ATTRIBUTES.stream()
                        .map(a -> Columns.quote(a) + (a.equals("time") ? " TIMESTAMPTZ" : " VARCHAR")).toList())
                        + ", extensions VARCHAR, schemaversion INTEGER, publishedat TIMESTAMPTZ, data VARCHAR,"
                        + " partition_dir VARCHAR)");
            }
            appender = duck.createAppender(DuckDBConnection.DEFAULT_SCHEMA, STAGE);
        } catch (SQLException e) {
            throw new ArchiveException("cannot start DuckDB: " + e.getMessage(), e);
        }
    }

    int buffered() {
        return buffered;
    }

    /** Stages one event; {@code time} is the event's time (or its publish time when it has none). */
    void add(CloudEvent event, Instant time, Instant publishedAt) {
        try {
            appender.beginRow();
            for (String attribute : Columns.ATTRIBUTES) {
                if (attribute.equals("time")) {
                    appender.appendEpochMicros(micros(time));
                } else if (redaction.removesAttribute(attribute)) {
                    appender.appendNull();
                } else {
                    appendText(attribute(event, attribute));
                }
            }
            appendText(extensions(event));
            Optional<SchemaVersion> version = schemaOf(event);
            if (version.isPresent()) {
                appender.append(version.get().version());
            } else {
                appender.appendNull();
            }
            appender.appendEpochMicros(micros(publishedAt));
            appendText(data(event));
            appender.append(partitioning.directory(time));
            appender.endRow();
            buffered++;
        } catch (SQLException e) {
            throw new ArchiveException("cannot stage event " + event.getId() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes the staged rows under {@code dir} (the staging directory of checkpoint {@code part}) and
     * empties the buffer; returns the files written, relative to {@code dir}, with their row counts.
     */
    List<Manifest.FileEntry> flush(Path dir, int part) {
        List<Manifest.FileEntry> written = new ArrayList<>();
        try {
            appender.flush();
            List<String[]> partitions = new ArrayList<>();
            try (Statement s = duck.createStatement();
                 ResultSet rows = s.executeQuery("SELECT type, partition_dir, count(*) FROM " + STAGE
                         + " GROUP BY 1, 2 ORDER BY 1, 2")) {
                while (rows.next()) {
                    partitions.add(new String[] {rows.getString(1), rows.getString(2), rows.getString(3)});
                }
            }
            for (String[] partition : partitions) {
                String type = partition[0];
                Path relative = Path.of("type=" + type, partition[1],
                        String.format("part-%05d.%s", part, format.extension()));
                Path file = dir.resolve(relative);
                Files.createDirectories(file.getParent());
                Columns typeColumns = columns(type);
                String options = format == ArchiveFormat.PARQUET
                        ? "FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880" : "FORMAT json";
                try (PreparedStatement copy = duck.prepareStatement("COPY (SELECT " + typeColumns.selectList()
                        + " FROM " + STAGE + " WHERE type = '" + type.replace("'", "''") + "' AND partition_dir = '"
                        + partition[1] + "' ORDER BY publishedat) TO '" + file.toString().replace("'", "''")
                        + "' (" + options + ")")) {
                    copy.execute();
                }
                Files.writeString(file.resolveSibling("_schema.json"),
                        JSON.writerWithDefaultPrettyPrinter().writeValueAsString(typeColumns.describe()),
                        StandardCharsets.UTF_8);
                written.add(new Manifest.FileEntry(relative.toString(), part, Long.parseLong(partition[2])));
            }
            try (Statement s = duck.createStatement()) {
                s.execute("DELETE FROM " + STAGE);
            }
            buffered = 0;
            return written;
        } catch (SQLException e) {
            throw new ArchiveException("cannot write part files in " + dir + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Columns columns(String type) {
        return columns.computeIfAbsent(type, t -> Columns.of(schemas.latest(t), redaction));
    }

    private Optional<SchemaVersion> schemaOf(CloudEvent event) {
        URI dataschema = event.getDataSchema();
        Optional<SchemaVersion> named = dataschema == null ? Optional.empty() : schemas.byUri(dataschema);
        return named.isPresent() ? named : schemas.latest(event.getType());
    }

    private String data(CloudEvent event) {
        if (event.getData() == null) {
            return null;
        }
        byte[] bytes = event.getData().toBytes();
        if (!redaction.redactsData()) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        try {
            JsonNode data = JSON.readTree(bytes);
            redaction.applyToData(data);
            return JSON.writeValueAsString(data);
        } catch (IOException e) {
            // Not JSON: nothing a pointer can name; redacting by pointer cannot vouch for it, so leave it out.
            return null;
        }
    }

    private static String attribute(CloudEvent event, String name) {
        Object value = switch (name) {
            case "id" -> event.getId();
            case "source" -> event.getSource();
            case "specversion" -> event.getSpecVersion().toString();
            case "type" -> event.getType();
            case "subject" -> event.getSubject();
            case "datacontenttype" -> event.getDataContentType();
            case "dataschema" -> event.getDataSchema();
            default -> event.getExtension(name);
        };
        return value == null ? null : value.toString();
    }

    private static String extensions(CloudEvent event) {
        var other = JSON.createObjectNode();
        for (String name : event.getExtensionNames()) {
            if (!HeraldAttributes.ALL.contains(name)) {
                other.put(name, String.valueOf(event.getExtension(name)));
            }
        }
        return other.isEmpty() ? null : other.toString();
    }

    private void appendText(String text) throws SQLException {
        if (text == null) {
            appender.appendNull();
        } else {
            appender.append(text);
        }
    }

    private static long micros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    }

    @Override
    public void close() {
        try {
            appender.close();
            duck.close();
        } catch (SQLException e) {
            throw new ArchiveException("cannot close DuckDB: " + e.getMessage(), e);
        }
    }
}
