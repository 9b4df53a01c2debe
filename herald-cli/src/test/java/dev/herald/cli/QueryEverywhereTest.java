package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.HeraldServer;
import dev.herald.server.config.ServerConfig;
import dev.herald.transport.kafka.KafkaTestBroker;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code GET /v1/events}, {@code herald events} and {@code herald replay} on the PostgreSQL and Kafka
 * transports, end to end: a server on the real broker, the CLI over HTTP.
 */
class QueryEverywhereTest {

    private static final String ADMIN = "hrld-query-everywhere-test-admin-token-0123456789";
    private static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
    private static final int EVENTS = 40;

    @TempDir
    Path data;

    private record Run(int exit, String out, String err) {
    }

    @Test
    void queriesAndReplaysOnPostgres() throws Exception {
        String schema = "herald_query_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        try (HeraldServer server = start(Map.of(ServerConfig.TRANSPORT.name(), "postgres",
                "postgres.url", POSTGRES, "postgres.schema", schema))) {
            exercise(server);
        } finally {
            try (Connection connection = DriverManager.getConnection(POSTGRES);
                 Statement statement = connection.createStatement()) {
                statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                statement.execute("DROP SCHEMA IF EXISTS " + schema + "_state CASCADE");
            }
        }
    }

    @Test
    void queriesAndReplaysOnKafka() throws Exception {
        try (KafkaTestBroker broker = KafkaTestBroker.start();
             HeraldServer server = start(Map.of(ServerConfig.TRANSPORT.name(), "kafka",
                     "kafka.bootstrap-servers", broker.bootstrapServers()))) {
            exercise(server);
        }
    }

    private void exercise(HeraldServer server) throws Exception {
        String url = "http://127.0.0.1:" + server.port();
        String subject = "query-" + UUID.randomUUID();
        List<String> ids = new ArrayList<>();
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < EVENTS; i++) {
            String id = subject + "-" + i;
            ids.add(id);
            lines.append("{\"specversion\":\"1.0\",\"id\":\"").append(id).append("\",\"source\":\"/query\",")
                    .append("\"time\":\"").append(T0.plusSeconds(60L * i)).append("\",")
                    .append("\"type\":\"ci.pipeline.created\",\"subject\":\"").append(subject).append("\",")
                    .append("\"project\":\"gid://gitlab/Project/").append(i % 2).append("\",")
                    .append("\"data\":{\"pipeline_id\":").append(i).append("}}\n");
        }
        Run published = herald(lines.toString(), url, "publish", "-q", "-");
        assertThat(published.exit()).as(published.err()).isZero();

        // Everything, page by page inside the CLI: each project's events in publish order. PostgreSQL shows
        // the log below the cluster-wide transaction horizon, which a transaction open elsewhere holds back.
        List<String> got = await().atMost(Duration.ofSeconds(30)).until(() -> {
            Run all = herald(null, url, "events", "--subject", subject, "--limit", "0", "-o", "json");
            assertThat(all.exit()).as(all.err()).isZero();
            return ids(JSON.readTree(all.out()));
        }, found -> found.size() >= ids.size());
        assertThat(got).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(got.stream().filter(id -> number(id) % 2 == 1).toList())
                .containsExactlyElementsOf(ids.stream().filter(id -> number(id) % 2 == 1).toList());

        // Filters pushed to the transport: one project, a time window [10:10, 10:20).
        Run window = herald(null, url, "events", "--subject", subject, "--project", "gid://gitlab/Project/0",
                "--type", "ci.*", "--from", "2026-11-25T10:10:00Z", "--to", "2026-11-25T10:20:00Z", "--limit", "0",
                "-o", "json");
        assertThat(window.exit()).as(window.err()).isZero();
        assertThat(ids(JSON.readTree(window.out()))).containsExactly(
                subject + "-10", subject + "-12", subject + "-14", subject + "-16", subject + "-18");

        // A short page says how to continue; continuing returns the rest, nothing twice.
        Run first = herald(null, url, "events", "--subject", subject, "--limit", "7", "-o", "jsonl");
        assertThat(first.out().lines()).hasSize(7);
        Matcher cursor = Pattern.compile("--cursor (\\S+)").matcher(first.err());
        assertThat(cursor.find()).as(first.err()).isTrue();
        Run rest = herald(null, url, "events", "--subject", subject, "--limit", "0", "--cursor", cursor.group(1),
                "-o", "jsonl");
        assertThat(rest.exit()).as(rest.err()).isZero();
        List<String> paged = new ArrayList<>();
        for (String line : (first.out() + rest.out()).lines().toList()) {
            paged.add(JSON.readTree(line).get("id").asText());
        }
        assertThat(paged).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ids);

        // A token restricted to one project with a type-glob scope: both narrow what the transport selects.
        Run token = herald(null, url, "tokens", "create", "--name", "reader", "--scope", "subscribe:ci.*",
                "--project", "gid://gitlab/Project/1");
        assertThat(token.exit()).as(token.err()).isZero();
        Run restricted = heraldAs(token.out().strip(), null, url, "events", "--subject", subject, "--limit", "0",
                "-o", "json");
        assertThat(restricted.exit()).as(restricted.err()).isZero();
        assertThat(ids(JSON.readTree(restricted.out())))
                .containsExactlyElementsOf(ids.stream().filter(id -> number(id) % 2 == 1).toList());

        // Replay prints the stored events from earliest and exits once caught up.
        Run replay = herald(null, url, "replay", "--from", "earliest", "--subject", subject, "-o", "json");
        assertThat(replay.exit()).as(replay.err()).isZero();
        LinkedHashSet<String> replayed = new LinkedHashSet<>();
        for (String line : replay.out().lines().toList()) {
            replayed.add(JSON.readTree(line).get("id").asText());
        }
        assertThat(replayed).containsExactlyInAnyOrderElementsOf(ids);
    }

    private HeraldServer start(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        all.put(ServerConfig.PORT.name(), "0");
        all.put(ServerConfig.DATA.name(), data.toString());
        all.put("auth.rate-limit", "0");
        ServerConfig config = ServerConfig.fromMap(all).withInitialAdminToken(ADMIN);
        return HeraldServer.builder(config).firstStartOutput(new PrintStream(new ByteArrayOutputStream())).start();
    }

    private static Run herald(String stdin, String url, String... args) {
        return heraldAs(ADMIN, stdin, url, args);
    }

    private static Run heraldAs(String tokenSecret, String stdin, String url, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--server", url, "--token", tokenSecret));
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
            int exit = cli.execute(all.toArray(String[]::new));
            return new Run(exit, out.toString(), err.toString());
        } finally {
            System.setIn(original);
        }
    }

    private static List<String> ids(JsonNode events) {
        List<String> ids = new ArrayList<>();
        events.forEach(e -> ids.add(e.get("id").asText()));
        return ids;
    }

    private static int number(String id) {
        return Integer.parseInt(id.substring(id.lastIndexOf('-') + 1));
    }
}
