package dev.herald.archive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.schema.SchemaRegistry;
import dev.herald.transport.Transport;
import dev.herald.transport.embedded.EmbeddedOptions;
import dev.herald.transport.embedded.EmbeddedTransport;
import io.cloudevents.CloudEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.parquet.example.data.Group;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An export in a child JVM is killed with SIGKILL once some checkpoints are committed (and others
 * staged or buffered); the rerun ends with every event exactly once.
 */
class KilledExportTest {

    private static final int EVENTS = 12_000;

    @TempDir
    Path dir;

    /** The child: exports the store in small checkpoints. */
    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        SchemaRegistry schemas = SchemaRegistry.load(dir.resolve("schemas"));
        try (Transport transport = EmbeddedTransport.open(dir.resolve("events.db"), EmbeddedOptions.defaults())) {
            new Exporter(transport, schemas).run(spec(dir), Exporter.Progress.NONE);
        }
    }

    private static ExportSpec spec(Path dir) {
        return ExportSpec.to(dir.resolve("out")).withRowsPerFile(500);
    }

    @Test
    void killedAndRerunWritesEveryRowOnce() throws Exception {
        SchemaRegistry schemas = TestSchemas.registry(dir.resolve("schemas"));
        Map<String, CloudEvent> published;
        try (Transport transport = EmbeddedTransport.open(dir.resolve("events.db"), EmbeddedOptions.defaults())) {
            published = TestSchemas.publish(transport, schemas, EVENTS);
        }
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), KilledExportTest.class.getName(),
                dir.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (checkpoint(dir.resolve("out")) < 4) {
            assertThat(child.isAlive()).as("the child exports slowly enough to be killed mid-way: %s",
                    Files.exists(dir.resolve("child.log")) ? Files.readString(dir.resolve("child.log")) : "").isTrue();
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(5);
        }
        child.destroyForcibly(); // SIGKILL
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        long committed = Manifest.read(dir.resolve("out")).rows();
        assertThat(committed).as("killed mid-way").isPositive().isLessThan(EVENTS);

        try (Transport transport = EmbeddedTransport.open(dir.resolve("events.db"), EmbeddedOptions.defaults())) {
            Exporter.Result rerun = new Exporter(transport, schemas).run(spec(dir), Exporter.Progress.NONE);
            assertThat(rerun.rowsThisRun()).isEqualTo(EVENTS - committed);
        }
        Set<String> ids = new HashSet<>();
        List<String> duplicates = new ArrayList<>();
        for (Path file : ParquetFiles.under(dir.resolve("out"))) {
            for (Group row : ParquetFiles.read(file).rows()) {
                if (!ids.add(row.getString("id", 0))) {
                    duplicates.add(row.getString("id", 0));
                }
            }
        }
        assertThat(duplicates).isEmpty();
        assertThat(ids).isEqualTo(published.keySet());
        assertThat(dir.resolve("out").resolve("_staging")).doesNotExist();
    }

    private static int checkpoint(Path out) {
        try {
            Manifest manifest = Manifest.read(out);
            return manifest == null ? 0 : manifest.checkpoint();
        } catch (RuntimeException e) {
            return 0; // being replaced
        }
    }
}
