package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.HeraldServer;
import dev.herald.server.config.ServerConfig;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** herald publish, events and tokens against a running server over HTTP, end to end. */
class RemoteCommandsTest {

    static final String ADMIN = "cli-test-admin-token-0123456789abcdefghij";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static HeraldServer server;
    static String url;

    private record Run(int exit, String out, String err) {
    }

    @BeforeAll
    static void start() {
        server = HeraldServer.builder(ServerConfig.fromMap(Map.of("port", "0", "host", "127.0.0.1",
                        "data", dir.resolve("data").toString(), "auth.rate-limit", "0")).withInitialAdminToken(ADMIN))
                .firstStartOutput(new PrintStream(PrintStream.nullOutputStream())).start();
        url = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Run herald(String... args) {
        return heraldWithStdin(null, args);
    }

    private static Run heraldWithStdin(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Herald.newCommandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        InputStream original = System.in;
        try {
            if (stdin != null) {
                System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            }
            int exit = cli.execute(args);
            return new Run(exit, out.toString(), err.toString());
        } finally {
            System.setIn(original);
        }
    }

    private static String[] remote(String token, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--server");
        all.add(url);
        all.add("--token");
        all.add(token);
        return all.toArray(String[]::new);
    }

    @Test
    void publishFromFlagsFileAndStdinThenQuery() throws Exception {
        Run one = herald(remote(ADMIN, "publish", "--type", "ci.pipeline.created", "--source", "https://gitlab.example.com/a",
                "--project", "gid://gitlab/Project/1", "--subject", "cli-e2e", "--data", "{\"pipeline_id\": 42}"));
        assertThat(one.exit()).as(one.err()).isZero();
        String id = one.out().strip();
        assertThat(id).hasSize(36);

        Path batch = dir.resolve("batch.json");
        Files.writeString(batch, """
                [
                  {"specversion": "1.0", "id": "cli-b1", "source": "/cli", "type": "ci.pipeline.created", "time": "2026-11-25T10:00:00Z",
                   "subject": "cli-e2e", "project": "gid://gitlab/Project/1", "data": {"pipeline_id": 1}},
                  {"specversion": "1.0", "id": "cli-b2", "source": "/cli", "type": "ci.pipeline.created", "time": "2026-11-25T10:00:00Z",
                   "subject": "cli-e2e", "project": "gid://gitlab/Project/2", "data": {"pipeline_id": 2}}
                ]
                """);
        Run fromFile = herald(remote(ADMIN, "publish", batch.toString()));
        assertThat(fromFile.exit()).as(fromFile.err()).isZero();
        assertThat(fromFile.out().lines()).containsExactly("cli-b1", "cli-b2");

        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 250; i++) {
            lines.append("{\"specversion\":\"1.0\",\"id\":\"cli-l").append(i).append("\",\"source\":\"/cli\",\"time\":\"2026-11-25T10:00:00Z\",")
                    .append("\"type\":\"ci.pipeline.created\",\"subject\":\"cli-e2e\",\"data\":{\"pipeline_id\":")
                    .append(i).append("}}\n");
        }
        Run stdin = heraldWithStdin(lines.toString(), remote(ADMIN, "publish", "-q", "-"));
        assertThat(stdin.exit()).as(stdin.err()).isZero();
        assertThat(stdin.err()).contains("250 events published");

        Run again = heraldWithStdin(lines.toString(), remote(ADMIN, "publish", "-q", "-"));
        assertThat(again.err()).as("republishing is harmless").contains("250 events published (250 already there)");

        Run json = herald(remote(ADMIN, "events", "--subject", "cli-e2e", "--limit", "0", "--output", "json"));
        assertThat(json.exit()).as(json.err()).isZero();
        JsonNode events = JSON.readTree(json.out());
        assertThat(events.size()).isEqualTo(1 + 2 + 250);
        assertThat(events.get(0).get("id").asText()).isEqualTo(id);

        Run table = herald(remote(ADMIN, "events", "--subject", "cli-e2e", "--project", "gid://gitlab/Project/1",
                "--limit", "5"));
        assertThat(table.exit()).isZero();
        assertThat(table.out()).contains("TIME", "TYPE", "PROJECT", "ci.pipeline.created", "cli-b1", "2 events");

        Run paged = herald(remote(ADMIN, "events", "--subject", "cli-e2e", "--limit", "3", "-o", "jsonl"));
        assertThat(paged.out().lines()).hasSize(3);
        assertThat(paged.err()).contains("--cursor");
    }

    @Test
    void invalidEventsExitTwoNamingTheLine() {
        String lines = "{\"specversion\":\"1.0\",\"id\":\"ok-1\",\"source\":\"/cli\",\"type\":\"ci.pipeline.created\","
                + "\"time\":\"2026-11-25T10:00:00Z\",\"data\":{\"pipeline_id\":1}}\n\n"
                + "{\"specversion\":\"1.0\",\"id\":\"bad-1\",\"source\":\"/cli\",\"type\":\"ci.pipeline.created\","
                + "\"time\":\"2026-11-25T10:00:00Z\",\"data\":{\"pipeline_id\":\"one\"}}\n";

        Run run = heraldWithStdin(lines, remote(ADMIN, "publish", "-"));

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("400 Invalid event").contains("line 3: data/pipeline_id");

        Run badData = herald(remote(ADMIN, "publish", "--type", "ci.pipeline.created", "--source", "/x",
                "--data", "{not json"));
        assertThat(badData.exit()).isEqualTo(2);
        assertThat(badData.err()).contains("--data is not JSON");
    }

    @Test
    void tokensCreateListRevokeAndScopesApply() {
        Run created = herald(remote(ADMIN, "tokens", "create", "--name", "ci", "--scope", "publish:ci.*"));
        assertThat(created.exit()).as(created.err()).isZero();
        String token = created.out().strip();
        assertThat(token).startsWith("hrld_");
        assertThat(created.err()).contains("shown only once");

        Run list = herald(remote(ADMIN, "tokens", "list"));
        assertThat(list.out()).contains("ID", "SCOPES", "publish:ci.*", "active").doesNotContain(token);

        Run denied = herald(remote(token, "publish", "--type", "repository.push", "--source", "/x", "--data", "{}"));
        assertThat(denied.exit()).isEqualTo(1);
        assertThat(denied.err()).contains("403").contains("repository.push");

        Run cannotRead = herald(remote(token, "events"));
        assertThat(cannotRead.exit()).isEqualTo(1);
        assertThat(cannotRead.err()).contains("no subscribe scope");

        String id = token.substring("hrld_".length(), "hrld_".length() + 12);
        Run revoked = herald(remote(ADMIN, "tokens", "revoke", id));
        assertThat(revoked.exit()).isZero();
        Run after = herald(remote(token, "publish", "--type", "ci.pipeline.created", "--source", "/x",
                "--data", "{\"pipeline_id\": 1}"));
        assertThat(after.exit()).isEqualTo(1);
        assertThat(after.err()).contains("401");
    }

    @Test
    void withoutAServerOrTokenTheErrorSaysSo() {
        Run noToken = herald("events", "--server", url);
        assertThat(noToken.exit()).isEqualTo(2);
        assertThat(noToken.err()).contains("HERALD_TOKEN");
    }

    @Test
    void serveValidatesItsConfigurationAndPrintsIt() {
        Run printed = herald("serve", "--port", "9999", "--data", dir.resolve("x").toString(), "--set",
                "events.dedup-window=2h", "--print-config");
        assertThat(printed.exit()).as(printed.err()).isZero();
        assertThat(printed.out()).contains("port", "9999", "flag for port", "events.dedup-window", "2h", "default");

        Run bad = herald("serve", "--set", "prot=1");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("did you mean 'port'");
    }

    @Test
    void everyCommandHasHelpWithExamples() {
        for (String[] command : List.of(new String[] {"serve"}, new String[] {"publish"}, new String[] {"events"},
                new String[] {"tokens"}, new String[] {"tokens", "create"}, new String[] {"tokens", "list"},
                new String[] {"tokens", "revoke"})) {
            List<String> args = new ArrayList<>(List.of(command));
            args.add("--help");
            Run help = herald(args.toArray(String[]::new));
            assertThat(help.exit()).isZero();
            assertThat(help.out()).as(String.join(" ", command)).contains("Example");
        }
    }
}
