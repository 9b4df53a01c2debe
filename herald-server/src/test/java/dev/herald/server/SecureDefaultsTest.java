package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.herald.server.config.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a server started with no settings exposes: only the loopback interface, and no metrics without a token. */
class SecureDefaultsTest {

    @TempDir
    Path dir;

    @Test
    void theServerListensOnLoopbackOnlyUnlessTold() throws Exception {
        Optional<InetAddress> external = externalAddress();
        assumeTrue(external.isPresent(), "this machine has no non-loopback IPv4 address to try");
        ServerConfig config = ServerConfig.fromMap(Map.of(ServerConfig.PORT.name(), "0",
                ServerConfig.DATA.name(), dir.toString()));
        try (HeraldServer server = HeraldServer.builder(config).firstStartOutput(quiet()).start()) {
            try (Socket local = new Socket()) {
                local.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 2000);
            }
            assertThatThrownBy(() -> {
                try (Socket remote = new Socket()) {
                    remote.connect(new InetSocketAddress(external.get(), server.port()), 2000);
                }
            }).as("reachable on %s", external.get()).isInstanceOf(IOException.class);
        }
        assertThat(config.get(ServerConfig.HOST)).isEqualTo("127.0.0.1");
    }

    @Test
    void metricsNeedTheMetricsScopeUnlessPublic() {
        try (Harness h = Harness.start(dir)) {
            String metrics = h.createToken("prometheus", List.of("metrics"), null);
            String reader = h.createToken("reader", List.of("subscribe:*"), null);

            assertThat(h.get("/metrics", null).status()).isEqualTo(401);
            Harness.Response refused = h.get("/metrics", reader);
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.body()).contains("metrics (or admin) scope");
            Harness.Response scraped = h.get("/metrics", metrics);
            assertThat(scraped.status()).isEqualTo(200);
            assertThat(scraped.body()).contains("jvm_memory_used_bytes");
            assertThat(h.get("/v1/events", metrics).status()).as("metrics reads nothing else").isEqualTo(403);
            assertThat(h.postJson("/v1/tokens", h.adminToken, Map.of("name", "p", "scopes", List.of("metrics"),
                    "project", "gid://gitlab/Project/1")).body()).contains("cannot be restricted to a project");
        }
        try (Harness h = Harness.start(dir.resolve("public"), Map.of(ServerConfig.METRICS_PUBLIC.name(), "true"))) {
            assertThat(h.get("/metrics", null).status()).isEqualTo(200);
        }
    }

    private static Optional<InetAddress> externalAddress() throws SocketException {
        return NetworkInterface.networkInterfaces().filter(nic -> {
            try {
                return nic.isUp() && !nic.isLoopback();
            } catch (SocketException e) {
                return false;
            }
        }).flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                .findFirst();
    }

    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }
}
