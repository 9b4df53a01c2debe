package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.archive.ArchiveQuery;
import dev.herald.cli.distribution.HeraldProcess;
import dev.herald.schema.SchemaRegistry;
import dev.herald.store.TopicRouter;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.Transport;
import dev.herald.transport.embedded.EmbeddedOptions;
import dev.herald.transport.embedded.EmbeddedTransport;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/herald export} of the assembled distribution, killed with SIGKILL once some checkpoints
 * are committed (and others staged or buffered), then run again: the directory ends with every stored
 * event exactly once and nothing left in {@code _staging}.
 */
class KilledExportIT {

    private static final int EVENTS = 12_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void killedAndRerunWritesEveryRowOnce() throws Exception {
        Path data = dir.resolve("data");
        Path out = dir.resolve("out");
        Set<String> published = store(data);
        List<String> export = List.of("export", "--data", data.toString(), "--out", out.toString(),
                "--rows-per-file", "500");

        Process child = herald(export, dir.resolve("killed.log"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (manifest(out).path("checkpoint").asInt() < 4) {
            assertThat(child.isAlive()).as("the export is slow enough to be killed mid-way: %s",
                    Files.readString(dir.resolve("killed.log"))).isTrue();
            assertThat(System.nanoTime()).as("a checkpoint within 90 s").isLessThan(deadline);
            Thread.sleep(5);
        }
        child.destroyForcibly(); // SIGKILL to the launcher's exec'd JVM
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        long committed = manifest(out).path("rows").asLong();
        assertThat(committed).as("killed mid-way").isPositive().isLessThan(EVENTS);

        Process rerun = herald(export, dir.resolve("rerun.log"));
        assertThat(rerun.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(rerun.exitValue()).as(Files.readString(dir.resolve("rerun.log"))).isZero();
        assertThat(Files.readString(dir.resolve("rerun.log")))
                .contains(String.format("%,d rows written (%,d in", EVENTS - committed, EVENTS));

        List<List<String>> counts = ArchiveQuery.run(out, "SELECT count(*), count(DISTINCT id) FROM events", 1).rows();
        assertThat(counts.getFirst()).as("rows, distinct ids").containsExactly(Integer.toString(EVENTS),
                Integer.toString(EVENTS));
        Set<String> ids = new HashSet<>();
        ArchiveQuery.run(out, "SELECT id FROM events", Integer.MAX_VALUE).rows().forEach(r -> ids.add(r.getFirst()));
        assertThat(ids).isEqualTo(published);
        assertThat(out.resolve("_staging")).doesNotExist();
    }

    /** Stores events of five types over three days in the data directory's embedded store. */
    private static Set<String> store(Path data) throws IOException {
        Path schemasDir = data.resolve("schemas");
        for (int t = 0; t < 5; t++) {
            Files.createDirectories(schemasDir.resolve("t." + t));
            Files.writeString(schemasDir.resolve("t." + t).resolve("v1.json"), """
                    {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                     "properties": {"n": {"type": "integer"}, "label": {"type": "string"}}}""");
        }
        SchemaRegistry schemas = SchemaRegistry.load(schemasDir);
        OffsetDateTime start = OffsetDateTime.of(2026, 11, 1, 0, 0, 0, 0, ZoneOffset.UTC);
        Set<String> ids = new HashSet<>();
        try (Transport transport = EmbeddedTransport.open(data.resolve("events.db"), EmbeddedOptions.defaults())) {
            List<CloudEvent> batch = new ArrayList<>();
            for (int i = 0; i < EVENTS; i++) {
                String type = "t." + (i % 5);
                CloudEvent event = CloudEventBuilder.v1().withId(UUID.randomUUID().toString())
                        .withSource(URI.create("https://gitlab.example.com/p")).withType(type)
                        .withTime(start.plusSeconds(i * 20L)).withDataSchema(schemas.currentSchema(type).orElseThrow())
                        .withData("application/json", ("{\"n\": " + i + ", \"label\": \"l" + i + "\"}")
                                .getBytes(StandardCharsets.UTF_8)).build();
                ids.add(event.getId());
                batch.add(event);
                if (batch.size() == 1_000 || i == EVENTS - 1) {
                    transport.publish(TopicRouter.DEFAULT_TOPIC, EncodedEvent.all(batch));
                    batch = new ArrayList<>();
                }
            }
        }
        return ids;
    }

    private static Process herald(List<String> args, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(HeraldProcess.root().resolve("bin/herald").toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("HERALD_SKIP_BUILD", "1");
        return builder.start();
    }

    private static JsonNode manifest(Path out) {
        try {
            return JSON.readTree(out.resolve("_manifest.json").toFile());
        } catch (IOException e) {
            return JSON.createObjectNode(); // not written yet, or being replaced
        }
    }
}
