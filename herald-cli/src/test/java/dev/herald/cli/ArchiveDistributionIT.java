package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.archive.ArchiveQuery;
import dev.herald.cli.distribution.HeraldApi;
import dev.herald.cli.distribution.HeraldProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's continuous archive as users run it: {@code bin/herald serve} of the assembled
 * distribution with {@code archive.dir} set writes every event it stores to Parquet through its own
 * durable subscription; SIGKILLed while events stream in and restarted, the archive ends with every
 * acknowledged event exactly once; {@code herald archive query} counts the rows and
 * {@code herald archive status} shows what is still to be written and the lag.
 */
class ArchiveDistributionIT {

    private static final String ADMIN = "hrld-archive-it-admin-token-0123456789abcdefgh";

    @TempDir
    Path data;

    @TempDir
    Path archive;

    private final HeraldApi api = new HeraldApi(ADMIN);
    /** Events the server acknowledged (2xx): each must be archived once. */
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    /** Every event sent, acknowledged or not (a publish cut short by the kill may still be stored). */
    private final Set<String> sent = ConcurrentHashMap.newKeySet();

    @Test
    void archivesEveryEventOnceAcrossACrashAndReportsItsLag() throws Exception {
        try (HeraldProcess herald = HeraldProcess.serve(data).set("archive.dir", archive.toString())
                .set("archive.commit-interval", "200ms").adminToken(ADMIN).start()) {
            publish(herald, 300);
            awaitArchivedOnce();
            assertThat(cli("archive", "query", "--dir", archive.toString(),
                    "SELECT count(*) AS n FROM events WHERE type = 'ci.pipeline.created'").output())
                    .contains(Integer.toString(acknowledged.size()));

            // Events stream in while the server dies with SIGKILL, between or inside the archive's commits.
            AtomicBoolean streaming = new AtomicBoolean(true);
            Thread publisher = Thread.ofPlatform().start(() -> {
                while (streaming.get()) {
                    publish(herald, 20);
                }
            });
            await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 1_500);
            herald.kill();
            streaming.set(false);
            publisher.join();
            herald.restart();
            publish(herald, 200);
            awaitArchivedOnce();
        }

        // Started again with a commit interval longer than the test: what it reads waits, and status says so.
        try (HeraldProcess herald = HeraldProcess.serve(data).set("archive.dir", archive.toString())
                .set("archive.commit-interval", "1h").start()) {
            int archivedBefore = archivedIds().size(); // acknowledged, and stored ones whose answer the kill cut off
            publish(herald, 100);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode status = api.get(herald, "/v1/archive").json();
                assertThat(status.path("backlog").asLong()).as(status::toString).isEqualTo(100);
            });
            Run status = cli("archive", "status", "--server", herald.baseUri().toString(), "--token", ADMIN);
            assertThat(status.exit()).as(status.output()).isZero();
            assertThat(status.output()).containsPattern("rows\\s+" + String.format("%,d", archivedBefore))
                    .containsPattern("behind\\s+100 events not archived yet")
                    .containsPattern("lag\\s+PT[0-9.]+S").doesNotContain("lag         PT0S");
            herald.stop(); // a graceful stop commits what the archive holds
        }
        awaitArchivedOnce();
        assertThat(cli("archive", "status", "--dir", archive.toString()).output())
                .containsPattern("rows\\s+" + String.format("%,d", archivedIds().size()));
    }

    /** Publishes a batch of {@code n} events; records them as acknowledged when the server answers 2xx. */
    private void publish(HeraldProcess herald, int n) {
        List<ObjectNode> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            batch.add(HeraldApi.event());
        }
        batch.forEach(event -> sent.add(event.path("id").asText()));
        HeraldApi.Answer answer = api.publishBatch(herald, batch);
        if (answer.status() / 100 == 2) {
            batch.forEach(event -> acknowledged.add(event.path("id").asText()));
        }
    }

    /** Waits until every acknowledged event is archived, and checks that no row is there twice. */
    private void awaitArchivedOnce() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .ignoreException(IllegalArgumentException.class) // no Parquet file written yet
                .untilAsserted(() -> assertThat(archivedIds()).containsAll(acknowledged));
        List<List<String>> counts = ArchiveQuery.run(archive,
                "SELECT count(*), count(DISTINCT id) FROM events", 1).rows();
        assertThat(counts.getFirst().get(0)).as("rows, then distinct ids").isEqualTo(counts.getFirst().get(1));
        assertThat(archivedIds()).isSubsetOf(sent);
    }

    private Set<String> archivedIds() {
        return new HashSet<>(ArchiveQuery.run(archive, "SELECT id FROM events", Integer.MAX_VALUE).rows().stream()
                .map(List::getFirst).toList());
    }

    record Run(int exit, String output) {
    }

    /** Runs {@code bin/herald ARGS} of the distribution and returns its exit code and output. */
    private Run cli(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(HeraldProcess.root().resolve("bin/herald").toString()));
        command.addAll(List.of(args));
        Path log = Files.createTempFile(data, "cli", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("HERALD_SKIP_BUILD", "1");
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("herald %s finished", args[0]).isTrue();
        return new Run(process.exitValue(), Files.readString(log));
    }
}
