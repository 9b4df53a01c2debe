package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.event.EventBuilder;
import dev.herald.schema.SchemaRegistry;
import dev.herald.store.TopicRouter;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.embedded.EmbeddedOptions;
import dev.herald.transport.embedded.EmbeddedTransport;
import io.cloudevents.CloudEvent;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code herald export}, {@code herald archive query} and {@code herald archive status} on a server's data directory. */
class ExportCommandTest {

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private static Run herald(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Herald.newCommandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void exportsQueriesAndReportsStatus() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        SchemaRegistry catalog = SchemaRegistry.builtinCatalog();
        List<CloudEvent> events = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            events.add(EventBuilder.create(catalog).type(i % 3 == 0 ? "ci.pipeline.finished" : "ci.pipeline.created")
                    .source("https://gitlab.example.com/group/app").project("gid://gitlab/Project/" + (i % 2))
                    .data(i % 3 == 0 ? Map.of("pipeline_id", i, "status", i % 2 == 0 ? "failed" : "success")
                            : catalog.latest("ci.pipeline.created").orElseThrow().examples().getFirst()).build());
        }
        try (EmbeddedTransport store = EmbeddedTransport.open(data.resolve("events.db"), EmbeddedOptions.defaults())) {
            store.publish(TopicRouter.DEFAULT_TOPIC, EncodedEvent.all(events));
        }
        Path out = dir.resolve("out");

        Run export = herald("export", "--data", data.toString(), "--out", out.toString(), "--type", "ci.pipeline.*",
                "--exclude-project", "gid://gitlab/Project/1");
        assertThat(export.exit()).as(export.err()).isZero();
        assertThat(export.err()).contains("15 rows written");

        Run query = herald("archive", "query", "--dir", out.toString(),
                "SELECT type, count(*) AS n FROM events GROUP BY type ORDER BY type");
        assertThat(query.exit()).as(query.err()).isZero();
        assertThat(query.out()).containsPattern("ci\\.pipeline\\.created\\s+10")
                .containsPattern("ci\\.pipeline\\.finished\\s+5");
        Run typed = herald("archive", "query", "--dir", out.toString(),
                "SELECT count(*) AS failed FROM events WHERE data_status = 'failed'");
        assertThat(typed.out()).containsPattern("\\b5\\b");

        Run again = herald("export", "--data", data.toString(), "--out", out.toString(), "--type", "ci.pipeline.*",
                "--exclude-project", "gid://gitlab/Project/1");
        assertThat(again.err()).contains("0 rows written (15 in");

        Run status = herald("archive", "status", "--dir", out.toString());
        assertThat(status.out()).containsPattern("rows\\s+15").contains("complete    yes");
    }

    @Test
    void badOptionsExitTwoNamingTheProblem() {
        Path out = dir.resolve("out");
        Run format = herald("export", "--data", dir.toString(), "--out", out.toString(), "--format", "csv");
        assertThat(format.exit()).isEqualTo(2);
        assertThat(format.err()).contains("--format must be parquet or jsonl: csv");
        Run redact = herald("export", "--data", dir.toString(), "--out", out.toString(), "--redact", "id");
        assertThat(redact.exit()).isEqualTo(2);
        assertThat(redact.err()).contains("identifies the event");
        Run other = herald("export", "--data", dir.toString(), "--out", out.toString(), "--type", "a b");
        assertThat(other.exit()).isEqualTo(2);
        assertThat(other.err()).contains("not a type pattern");
    }
}
