package dev.herald.server.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.dispatch.Backoff;
import dev.herald.dispatch.DeliveryPolicy;
import dev.herald.server.subscriptions.Api;
import dev.herald.server.subscriptions.Sink;
import dev.herald.server.subscriptions.TestEvents;
import dev.herald.server.subscriptions.TestServer;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A webhook connects to exactly the address the SSRF guard checked. The sink's name is served by a DNS
 * that alternates between a public address and 127.0.0.1 ({@link RebindingResolverProvider}): checked
 * with one answer and dialled with the next, a request would reach the loopback sink. The JVM's DNS cache
 * is off in these tests ({@code sun.net.inetaddr.ttl=0}), so every lookup asks the resolver again.
 */
class DnsRebindingTest {

    @TempDir
    Path dir;

    private final Sink sink = new Sink();
    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        sink.close();
    }

    private Api start(List<String> allowList) {
        server = new TestServer(dir, TestServer.settings()
                .ssrfAllowList(allowList)
                // The public answer (TEST-NET-3) must not hold an attempt up: give up on it quickly.
                .webhookTimeouts(Duration.ofMillis(250), Duration.ofMillis(500))
                .defaultPolicy(new DeliveryPolicy(5, new Backoff(Duration.ofMillis(10), Duration.ofMillis(20)),
                        false, 1, 100))
                .build());
        return server.admin();
    }

    @Test
    void aNameRebindingToLoopbackBetweenCheckAndConnectNeverReachesIt() {
        Api api = start(List.of());
        RebindingResolverProvider.reset();
        String url = "http://" + RebindingResolverProvider.REBINDING + ":" + sink.url("/").getPort() + "/hook";
        Api.Response created = api.post("/v1/subscriptions", Map.of("id", "rebound", "types",
                List.of(TestEvents.PIPELINE_CREATED), "sink", url));
        assertThat(created.status()).as("checked with the public answer: %s", created).isEqualTo(201);

        server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED));

        await().atMost(Duration.ofSeconds(20)).until(() -> !sink.all().isEmpty() || api
                .get("/v1/subscriptions/rebound/dead-letters").body().path("total").asLong() == 1);
        assertThat(sink.all()).as("requests that reached the loopback sink").isEmpty();
        sink.expectNothing(Duration.ofMillis(200));
        JsonNode letter = api.get("/v1/subscriptions/rebound/dead-letters").body().path("items").get(0);
        assertThat(letter.path("attempts").asInt()).isEqualTo(5);
        assertThat(letter.path("lastError").asText()).contains("sink refused")
                .contains(RebindingResolverProvider.REBINDING + " resolves to 127.0.0.1");
        // The creation check, then one lookup per attempt: each connection dialled what its own lookup checked.
        assertThat(RebindingResolverProvider.lookups()).isEqualTo(6);
    }

    @Test
    void aNamedSinkIsDialledOnItsCheckedAddressUnderItsOwnName() {
        Api api = start(List.of("127.0.0.0/8"));
        assertThat(InetAddress.getLoopbackAddress().isLoopbackAddress()).isTrue();
        String url = "http://" + RebindingResolverProvider.LOOPBACK + ":" + sink.url("/").getPort() + "/hook";
        assertThat(api.post("/v1/subscriptions", Map.of("id", "named", "types",
                List.of(TestEvents.PIPELINE_CREATED), "sink", url)).status()).isEqualTo(201);

        server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED));
        server.publish(TestEvents.of(TestEvents.PIPELINE_CREATED));

        // The URL keeps the name (Host header, and for HTTPS the SNI and certificate check); the address is ours.
        Sink.Received first = sink.next();
        assertThat(first.header("host")).isEqualTo(RebindingResolverProvider.LOOPBACK + ":" + sink.url("/").getPort());
        assertThat(first.header("user-agent")).isEqualTo(WebhookSender.USER_AGENT);
        assertThat(sink.next().path()).isEqualTo("/hook");
    }
}
