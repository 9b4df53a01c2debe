package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.herald.event.EventBuilder;
import dev.herald.server.HeraldServer;
import dev.herald.server.config.ServerConfig;
import io.cloudevents.CloudEvent;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** herald tail, replay, subscriptions and dead-letters against a real server with the subscriptions module. */
class SubscriptionCommandsTest {

    static final String ADMIN = "cli-subscriptions-admin-token-0123456789abcdef";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static HeraldServer server;
    static String url;
    static HttpServer sink;
    static final AtomicInteger sinkStatus = new AtomicInteger(200);
    static final BlockingQueue<String> received = new LinkedBlockingQueue<>();

    private record Run(int exit, String out, String err) {
    }

    @BeforeAll
    static void start() throws Exception {
        sink = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        sink.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        sink.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                received.add(exchange.getRequestHeaders().getFirst("ce-id"));
                exchange.sendResponseHeaders(sinkStatus.get(), -1);
            }
        });
        sink.start();
        server = HeraldServer.builder(ServerConfig.fromMap(Map.of("port", "0", "host", "127.0.0.1",
                        "data", dir.resolve("data").toString(), "auth.rate-limit", "0", "shutdown.timeout", "5s",
                        "webhooks.ssrf-allow", "127.0.0.1"))
                        .withInitialAdminToken(ADMIN))
                .firstStartOutput(new PrintStream(PrintStream.nullOutputStream()))
                .start();
        url = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
        sink.stop(0);
    }

    private static String sinkUrl() {
        return "http://127.0.0.1:" + sink.getAddress().getPort() + "/hook";
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

    private static Run remote(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--server", url, "--token", ADMIN));
        return herald(all.toArray(String[]::new));
    }

    private static CloudEvent publish(String type, String project) {
        JsonNode data = server.store().schemas().latest(type).orElseThrow().examples().getFirst();
        return server.store().publish(EventBuilder.create(server.store().schemas()).type(type)
                .source("https://gitlab.example.com/group/app").subject("gid://gitlab/Pipeline/1")
                .project(project).data(data).build());
    }

    private static int pullSubscriptions() throws Exception {
        return JSON.readTree(remote("subscriptions", "list", "--protocol", "PULL", "--output", "json").out()).size();
    }

    @Test
    void subscriptionLifecycle() throws Exception {
        Run created = remote("subscriptions", "create", "--id", "cli-hooks", "--type", "ci.*", "--sink", sinkUrl(),
                "--header", "X-Gitlab-Event-Streaming-Token=abc", "--max-attempts", "7", "--backoff-max", "1h");
        assertThat(created.exit()).as(created.err()).isZero();
        assertThat(created.out()).contains("created HTTP subscription cli-hooks").contains("secret: whsec_");

        Run list = remote("subscriptions", "list");
        assertThat(list.out()).contains("cli-hooks").contains("HTTP").contains("active").contains("ci.*");
        JsonNode shown = JSON.readTree(remote("subscriptions", "get", "cli-hooks").out());
        assertThat(shown.path("delivery").path("maxAttempts").asInt()).isEqualTo(7);
        assertThat(shown.path("protocolsettings").path("headers").path("X-Gitlab-Event-Streaming-Token").asText())
                .isEqualTo("<redacted>");

        assertThat(remote("subscriptions", "pause", "cli-hooks").out()).startsWith("cli-hooks: paused");
        assertThat(remote("subscriptions", "resume", "cli-hooks").out()).startsWith("cli-hooks: active");
        Run rotated = remote("subscriptions", "rotate-secret", "cli-hooks");
        assertThat(rotated.out()).contains("secret: whsec_").contains("previous secret also signs until");
        assertThat(remote("subscriptions", "delete", "cli-hooks").exit()).isZero();
        assertThat(remote("subscriptions", "get", "cli-hooks").exit()).isEqualTo(Herald.BAD_INPUT);
    }

    @Test
    void refusedBodiesExitTwoNamingTheField() {
        Run run = remote("subscriptions", "create", "--sink", "ftp://example.com/x", "--sql", "type = ");

        assertThat(run.exit()).isEqualTo(Herald.BAD_INPUT);
        assertThat(run.err()).contains("sink: must be an absolute URL with the http or https scheme")
                .contains("filters[0].sql");
        assertThat(remote("subscriptions", "create", "--sink", "http://169.254.169.254/").err())
                .contains("link-local");
        assertThat(herald("subscriptions", "create", "--pull", "--server", "http://127.0.0.1:1", "--token", "x")
                .exit()).as("server unreachable").isEqualTo(Herald.FAILURE);
    }

    @Test
    void tailPrintsLiveEventsAndRemovesItsSubscription() throws Exception {
        int before = pullSubscriptions();
        CompletableFuture<Run> tail = CompletableFuture.supplyAsync(() -> remote("tail", "--type", "ci.pipeline.*",
                "--project", "gid://gitlab/Project/9", "--count", "2"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pullSubscriptions() == before && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }

        publish("ci.pipeline.created", "gid://gitlab/Project/8");
        CloudEvent first = publish("ci.pipeline.created", "gid://gitlab/Project/9");
        publish("repository.push", "gid://gitlab/Project/9");
        CloudEvent second = publish("ci.pipeline.finished", "gid://gitlab/Project/9");
        Run run = tail.get(20, TimeUnit.SECONDS);

        assertThat(run.exit()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("ci.pipeline.created").contains("gid://gitlab/Project/9")
                .endsWith(first.getId());
        assertThat(lines.get(1)).contains("ci.pipeline.finished").endsWith(second.getId());
        assertThat(pullSubscriptions()).as("the ephemeral subscription is deleted").isEqualTo(before);
    }

    @Test
    void replayPrintsPastEventsAndExitsWhenCaughtUp() throws Exception {
        CloudEvent a = publish("merge_requests.approved", "gid://gitlab/Project/5");
        CloudEvent b = publish("merge_requests.approved", "gid://gitlab/Project/5");

        Run run = remote("replay", "--from", "earliest", "--type", "merge_requests.approved", "--output", "json");

        assertThat(run.exit()).as(run.err()).isZero();
        List<String> ids = run.out().lines().map(line -> {
            try {
                return JSON.readTree(line).path("id").asText();
            } catch (Exception e) {
                throw new AssertionError(line, e);
            }
        }).toList();
        assertThat(ids).contains(a.getId(), b.getId());
        assertThat(remote("replay", "--from", "yesterday").exit()).isEqualTo(Herald.BAD_INPUT);
    }

    @Test
    void deadLettersListShowRedriveDiscard() throws Exception {
        sinkStatus.set(500);
        received.clear();
        assertThat(remote("subscriptions", "create", "--id", "cli-dead", "--type", "members.destroyed",
                "--sink", sinkUrl(), "--max-attempts", "1").exit()).isZero();
        CloudEvent event = publish("members.destroyed", "gid://gitlab/Project/3");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!remote("dead-letters", "list", "cli-dead").out().contains(event.getId())
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Run list = remote("dead-letters", "list", "cli-dead");
        assertThat(list.out()).contains(event.getId()).contains("HTTP 500");
        String deadId = list.out().lines().skip(1).findFirst().orElseThrow().split("\\s+")[0];
        assertThat(JSON.readTree(remote("dead-letters", "show", "cli-dead", deadId).out()).path("event")
                .path("id").asText()).isEqualTo(event.getId());

        sinkStatus.set(200);
        received.clear();
        assertThat(remote("dead-letters", "redrive", "cli-dead", "--all").out()).contains("redriven: 1");
        assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo(event.getId());
        assertThat(remote("dead-letters", "discard", "cli-dead").exit()).isEqualTo(Herald.BAD_INPUT);
        assertThat(remote("dead-letters", "discard", "cli-dead", "--all").out()).contains("discarded: 0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tail", "replay", "subscriptions", "subscriptions create", "subscriptions rotate-secret",
            "dead-letters", "dead-letters redrive"})
    void everyCommandHasHelpWithExamples(String command) {
        List<String> args = new ArrayList<>(List.of(command.split(" ")));
        args.add("--help");

        Run run = herald(args.toArray(String[]::new));

        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("Example");
    }
}
