package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The assembled distribution, as users run it: {@code bin/herald serve} in a child process (with
 * herald-gitlab from {@code herald-cli/target/lib}), {@code bin/herald gitlab register|revoke} against
 * it, and a GitLab push hook posted to the bridge in between.
 */
class GitLabDistributionIT {

    static final String ADMIN = "hrld_admin_for_the_distribution_test_0123456789";
    static final Path HERALD = Path.of("..", "bin", "herald").toAbsolutePath().normalize();

    @Test
    void registerAHookThenRevokeIt(@TempDir Path data) throws Exception {
        int port = freePort();
        String server = "http://127.0.0.1:" + port;
        ProcessBuilder serve = new ProcessBuilder(HERALD.toString(), "serve", "--host", "127.0.0.1", "--port",
                Integer.toString(port), "--data", data.toString())
                .redirectErrorStream(true).redirectOutput(data.resolve("serve.log").toFile());
        serve.environment().put("HERALD_ADMIN_TOKEN", ADMIN);
        Process herald = serve.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            awaitReady(http, server, herald, data);

            Run register = run(data, "gitlab", "register", "--instance", "https://gitlab.example.com",
                    "--server", server, "--token", ADMIN);
            assertThat(register.exit).as(register.output).isZero();
            assertThat(register.output).contains("URL:          " + server + "/v1/gitlab/webhooks");
            String secret = register.output.lines().filter(l -> l.contains("Secret token:")).findFirst()
                    .orElseThrow().replaceFirst(".*Secret token: *", "").strip();

            assertThat(postPush(http, server, secret).statusCode()).isEqualTo(202);

            Run revoke = run(data, "gitlab", "revoke", "--instance", "https://gitlab.example.com",
                    "--server", server, "--token", ADMIN);
            assertThat(revoke.exit).as(revoke.output).isZero();
            assertThat(postPush(http, server, secret).statusCode()).isEqualTo(401);
        } finally {
            herald.destroy();
            if (!herald.waitFor(20, TimeUnit.SECONDS)) {
                herald.destroyForcibly();
            }
        }
    }

    private static HttpResponse<String> postPush(HttpClient http, String server, String secret) throws Exception {
        String body = new String(GitLabDistributionIT.class.getResourceAsStream("/gitlab/push.json").readAllBytes(),
                StandardCharsets.UTF_8);
        return http.send(HttpRequest.newBuilder(URI.create(server + "/v1/gitlab/webhooks"))
                .header("Content-Type", "application/json").header("X-Gitlab-Event", "Push Hook")
                .header("X-Gitlab-Token", secret).header("X-Gitlab-Instance", "https://gitlab.example.com")
                .header("X-Gitlab-Event-UUID", UUID.randomUUID().toString())
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    record Run(int exit, String output) {
    }

    private static Run run(Path data, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(HERALD.toString()));
        command.addAll(List.of(args));
        Path log = Files.createTempFile(data, "cli", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), Files.readString(log));
    }

    private static void awaitReady(HttpClient http, String server, Process herald, Path data) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            assertThat(herald.isAlive()).as(() -> readLog(data)).isTrue();
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(server + "/readyz")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("herald serve did not become ready: " + readLog(data));
    }

    private static String readLog(Path data) {
        try {
            return Files.readString(data.resolve("serve.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }
}
