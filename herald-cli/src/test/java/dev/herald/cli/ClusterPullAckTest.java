package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.cli.distribution.HeraldApi;
import dev.herald.cli.distribution.TestSchema;
import dev.herald.server.HeraldServer;
import dev.herald.server.config.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streaming pull on two instances sharing a PostgreSQL transport and state: a stream opened on the
 * instance that did not create the subscription receives events; an ack sent to the other instance is
 * not applied and says so (the id under {@code unknown}, nothing acked), and the same ack sent to the
 * stream's instance settles it. This is the documented contract: acks go to the stream's instance.
 */
class ClusterPullAckTest {

    private static final String ADMIN = "hrld-cluster-pull-ack-test-admin-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path data;

    @Test
    void anAckOnAnotherInstanceIsReportedUnknownAndTheStreamsInstanceSettlesIt() throws Exception {
        try (TestSchema schema = TestSchema.create("herald_pull_ack");
             HeraldServer one = start(schema, "one"); HeraldServer two = start(schema, "two")) {
            assertThat(send(one, "POST", "/v1/subscriptions",
                    "{\"id\":\"pull-acks\",\"protocol\":\"PULL\",\"delivery\":{\"startAt\":\"earliest\"}}").statusCode())
                    .isEqualTo(201);
            await("instance two follows the new subscription").atMost(Duration.ofSeconds(1))
                    .until(() -> send(two, "GET", "/v1/subscriptions/pull-acks", null).statusCode() == 200);
            HttpResponse<String> published = send(one, "POST", "/v1/events",
                    HeraldApi.event("/cluster-pull-ack", "pulled-1").toString());
            assertThat(published.statusCode()).as(published.body()).isEqualTo(202);

            HttpResponse<Stream<String>> stream = http.send(request(two, "GET", "/v1/subscriptions/pull-acks/stream",
                    null), HttpResponse.BodyHandlers.ofLines());
            String id = CompletableFuture.supplyAsync(() -> stream.body().filter(line -> line.startsWith("id: "))
                    .findFirst().orElseThrow().substring(4)).get(10, TimeUnit.SECONDS);
            assertThat(id).isEqualTo("pulled-1");

            JsonNode elsewhere = JSON.readTree(send(one, "POST", "/v1/subscriptions/pull-acks/acks",
                    "{\"ids\":[\"pulled-1\"]}").body());
            assertThat(elsewhere.path("acked").asInt()).isZero();
            assertThat(elsewhere.path("unknown").toString()).contains("pulled-1");

            JsonNode onStreamsInstance = JSON.readTree(send(two, "POST", "/v1/subscriptions/pull-acks/acks",
                    "{\"ids\":[\"pulled-1\"]}").body());
            assertThat(onStreamsInstance.path("acked").asInt()).isEqualTo(1);
            stream.body().close();
        }
    }

    private HeraldServer start(TestSchema schema, String name) {
        ServerConfig config = ServerConfig.fromMap(Map.of(ServerConfig.PORT.name(), "0",
                ServerConfig.DATA.name(), data.resolve(name).toString(), "auth.rate-limit", "0",
                ServerConfig.TRANSPORT.name(), "postgres", "postgres.url", TestSchema.URL,
                "postgres.schema", schema.name())).withInitialAdminToken(ADMIN)
                .withSecretKeys(java.util.Base64.getEncoder().encodeToString(new byte[32]), null);
        return HeraldServer.builder(config).firstStartOutput(new PrintStream(new ByteArrayOutputStream())).start();
    }

    private HttpResponse<String> send(HeraldServer to, String method, String path, String body)
            throws IOException, InterruptedException {
        return http.send(request(to, method, path, body), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest request(HeraldServer to, String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + to.port() + path))
                .header("Authorization", "Bearer " + ADMIN)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", path.equals("/v1/events") ? "application/cloudevents+json" : "application/json");
        }
        return request.build();
    }
}
