package dev.herald.server.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.subscriptions.Api;
import dev.herald.server.subscriptions.TestServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The SSRF matrix through the API: sinks in forbidden ranges are refused at create with a 400 naming why. */
class SsrfProtectionTest {

    @TempDir
    static Path dir;

    private static TestServer server;
    private static Api api;

    @BeforeAll
    static void start() {
        // The default guard, with an allow-list that does NOT name 127.0.0.1.
        server = new TestServer(dir, TestServer.settings().ssrfAllowList(List.of("10.20.0.0/16",
                "hooks.internal.test")).build());
        api = server.admin();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest(name = "{0} refused ({1})")
    @CsvSource(delimiter = '|', value = {
            "http://127.0.0.1:8080/hook       | loopback",
            "http://10.0.0.1/hook             | private",
            "http://192.168.1.1/hook          | private",
            "http://172.16.0.1/hook           | private",
            "http://169.254.169.254/latest/meta-data/ | link-local",
            "http://[::1]/hook                | loopback",
            "http://[fe80::1]/hook            | link-local",
            "http://224.0.0.1/hook            | multicast",
            "http://100.64.0.1/hook           | CGNAT",
            "http://0.0.0.0/hook              | unspecified",
            "http://[::ffff:169.254.169.254]/ | link-local"})
    void forbiddenSinksAreRefusedAtCreate(String sink, String reason) {
        Api.Response response = api.post("/v1/subscriptions", Map.of("sink", sink));

        assertThat(response.status()).as("%s", response).isEqualTo(400);
        assertThat(response.body().path("violations").get(0).path("where").asText()).isEqualTo("sink");
        assertThat(response.body().path("violations").get(0).path("rule").asText()).contains("refused")
                .contains(reason).contains("allow-list");
    }

    @ParameterizedTest(name = "{0} accepted")
    @ValueSource(strings = {"http://10.20.1.5/hook", "http://hooks.internal.test/x", "https://93.184.216.34/hook",
            "https://[2606:2800:220:1:248:1893:25c8:1946]/hook"})
    void allowListedAndPublicSinksAreAccepted(String sink) {
        Api.Response response = api.post("/v1/subscriptions", Map.of("sink", sink));

        assertThat(response.status()).as("%s", response).isEqualTo(201);
    }

    @ParameterizedTest(name = "update to {0} refused")
    @ValueSource(strings = {"http://127.0.0.1/", "http://169.254.169.254/"})
    void updatesAreCheckedToo(String sink) {
        String id = api.post("/v1/subscriptions", Map.of("sink", "https://93.184.216.34/hook")).text("id");

        Api.Response response = api.patch("/v1/subscriptions/" + id, Map.of("sink", sink));

        assertThat(response.status()).isEqualTo(400);
        assertThat(api.get("/v1/subscriptions/" + id).text("sink")).isEqualTo("https://93.184.216.34/hook");
    }
}
