package dev.herald.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.schema.Compatibility;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {

    @TempDir
    Path dir;

    @Test
    void defaultsAreDocumented() {
        ServerConfig config = ServerConfig.defaults();
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.dataDir()).isEqualTo(Path.of("./herald-data"));
        assertThat(config.schemasDir()).isEqualTo(Path.of("./herald-data/schemas"));
        assertThat(config.publicUrl()).isEqualTo(URI.create("http://localhost:8080/"));
        assertThat(config.schemasBaseUri()).isEqualTo(URI.create("http://localhost:8080/v1/schemas/"));
        assertThat(config.maxEventBytes()).isEqualTo(1024 * 1024);
        assertThat(config.maxRequestBytes()).isEqualTo(10L * 1024 * 1024);
        assertThat(config.dedupWindow()).isEqualTo(Duration.ofHours(24));
        assertThat(config.compatibility()).isEqualTo(Compatibility.BACKWARD);
        assertThat(config.tls()).isFalse();
        assertThat(ServerConfig.SETTINGS).allSatisfy(s -> assertThat(s.description()).isNotBlank());
        assertThat(ServerConfig.SETTINGS.stream().filter(s -> s.key().equals("events.dedup-window")).findFirst()
                .orElseThrow().envVar()).isEqualTo("HERALD_EVENTS_DEDUP_WINDOW");
    }

    @Test
    void flagsBeatEnvironmentBeatsFileBeatsDefaults() throws Exception {
        Path file = dir.resolve("herald.properties");
        Files.writeString(file, "port=9000\ndata=store\nevents.dedup-window=1h\nauth.rate-limit=5\n");

        ServerConfig config = ServerConfig.load(file,
                Map.of("HERALD_PORT", "9100", "HERALD_EVENTS_DEDUP_WINDOW", "30m", "HERALD_TOKEN", "ignored"),
                Map.of("port", "9200"));

        assertThat(config.port()).isEqualTo(9200);
        assertThat(config.dedupWindow()).isEqualTo(Duration.ofMinutes(30));
        assertThat(config.rateLimit()).isEqualTo(5.0);
        assertThat(config.dataDir()).as("relative to the file's directory").isEqualTo(dir.resolve("store"));
        assertThat(config.describe()).anySatisfy(e -> {
            assertThat(e.getKey().key()).isEqualTo("port");
            assertThat(e.getValue().origin()).isEqualTo("flag for port");
        });
    }

    @Test
    void jsonFilesNestKeysAndHeraldConfigNamesTheFile() throws Exception {
        Path file = dir.resolve("herald.json");
        Files.writeString(file, """
                {"port": 7000, "events": {"max-event-bytes": "512KiB", "dedup-window": "PT2H"},
                 "tls": {"cert": "/etc/c.pem", "key": "/etc/k.pem"}, "public-url": "https://events.example.com"}""");

        ServerConfig config = ServerConfig.load(null, Map.of("HERALD_CONFIG", file.toString()), Map.of());

        assertThat(config.port()).isEqualTo(7000);
        assertThat(config.maxEventBytes()).isEqualTo(512 * 1024);
        assertThat(config.dedupWindow()).isEqualTo(Duration.ofHours(2));
        assertThat(config.tlsCert()).contains(Path.of("/etc/c.pem"));
        assertThat(config.schemasBaseUri()).isEqualTo(URI.create("https://events.example.com/v1/schemas/"));
    }

    @Test
    void mistakesAreNamedWithTheirOrigin() throws Exception {
        Path file = dir.resolve("bad.properties");
        Files.writeString(file, "prot=8080\n");
        assertThatThrownBy(() -> ServerConfig.load(file, Map.of(), Map.of()))
                .hasMessageContaining("unknown setting 'prot'").hasMessageContaining("did you mean 'port'");
        assertThatThrownBy(() -> ServerConfig.load(null, Map.of("HERALD_PORT", "eighty"), Map.of()))
                .hasMessageContaining("environment variable HERALD_PORT").hasMessageContaining("whole number");
        assertThatThrownBy(() -> ServerConfig.fromMap(Map.of("events.dedup-window", "a day")))
                .hasMessageContaining("duration");
        assertThatThrownBy(() -> ServerConfig.fromMap(Map.of("events.max-request-bytes", "10 parsecs")))
                .hasMessageContaining("size");
        assertThatThrownBy(() -> ServerConfig.fromMap(Map.of("schemas.compatibility", "SOMETIMES")))
                .hasMessageContaining("BACKWARD, FORWARD, FULL or NONE");
        assertThatThrownBy(() -> ServerConfig.load(dir.resolve("missing.properties"), Map.of(), Map.of()))
                .hasMessageContaining("does not exist");
    }

    @Test
    void durationsAndSizes() {
        assertThat(ServerConfig.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(ServerConfig.parseDuration("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(ServerConfig.parseDuration("0")).isZero();
        assertThat(ServerConfig.fromMap(Map.of("events.max-request-bytes", "10MB")).maxRequestBytes())
                .isEqualTo(10_000_000L);
        assertThat(ServerConfig.fromMap(Map.of("events.dedup-window", "0")).dedupWindow()).isZero();
    }
}
