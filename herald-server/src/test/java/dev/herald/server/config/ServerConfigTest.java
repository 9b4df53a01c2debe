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
        assertThat(config.get(ServerConfig.PORT)).isEqualTo(8080);
        assertThat(config.get(ServerConfig.DATA)).isEqualTo(Path.of("./herald-data"));
        assertThat(config.schemasDir()).isEqualTo(Path.of("./herald-data/schemas"));
        assertThat(config.publicUrl()).isEqualTo(URI.create("http://localhost:8080/"));
        assertThat(config.schemasBaseUri()).isEqualTo(URI.create("http://localhost:8080/v1/schemas/"));
        assertThat(config.get(ServerConfig.MAX_EVENT_BYTES)).isEqualTo(1024 * 1024);
        assertThat(config.get(ServerConfig.MAX_REQUEST_BYTES)).isEqualTo(10L * 1024 * 1024);
        assertThat(config.get(ServerConfig.DEDUP_WINDOW)).isEqualTo(Duration.ofHours(24));
        assertThat(config.get(ServerConfig.SCHEMAS_COMPATIBILITY)).isEqualTo(Compatibility.BACKWARD);
        assertThat(config.tls()).isFalse();
        assertThat(ServerConfig.SETTINGS).allSatisfy(s -> assertThat(s.doc()).isNotBlank());
        assertThat(ServerConfig.DEDUP_WINDOW.envVar()).isEqualTo("HERALD_EVENTS_DEDUP_WINDOW");
    }

    @Test
    void flagsBeatEnvironmentBeatsFileBeatsDefaults() throws Exception {
        Path file = dir.resolve("herald.properties");
        Files.writeString(file, "port=9000\ndata=store\nevents.dedup-window=1h\nauth.rate-limit=5\n");

        ServerConfig config = ServerConfig.load(file,
                Map.of("HERALD_PORT", "9100", "HERALD_EVENTS_DEDUP_WINDOW", "30m", "HERALD_TOKEN", "ignored"),
                Map.of("port", "9200"));

        assertThat(config.get(ServerConfig.PORT)).isEqualTo(9200);
        assertThat(config.get(ServerConfig.DEDUP_WINDOW)).isEqualTo(Duration.ofMinutes(30));
        assertThat(config.get(ServerConfig.RATE_LIMIT)).isEqualTo(5.0);
        assertThat(config.get(ServerConfig.DATA)).as("relative to the file's directory").isEqualTo(dir.resolve("store"));
        assertThat(config.describe()).anySatisfy(e -> {
            assertThat(e.setting()).isEqualTo(ServerConfig.PORT);
            assertThat(e.origin()).isEqualTo("flag for port");
        });
    }

    @Test
    void jsonFilesNestKeysAndHeraldConfigNamesTheFile() throws Exception {
        Path file = dir.resolve("herald.json");
        Files.writeString(file, """
                {"port": 7000, "events": {"max-event-bytes": "512KiB", "dedup-window": "PT2H"},
                 "tls": {"cert": "/etc/c.pem", "key": "/etc/k.pem"}, "public-url": "https://events.example.com"}""");

        ServerConfig config = ServerConfig.load(null, Map.of("HERALD_CONFIG", file.toString()), Map.of());

        assertThat(config.get(ServerConfig.PORT)).isEqualTo(7000);
        assertThat(config.get(ServerConfig.MAX_EVENT_BYTES)).isEqualTo(512 * 1024);
        assertThat(config.get(ServerConfig.DEDUP_WINDOW)).isEqualTo(Duration.ofHours(2));
        assertThat(config.get(ServerConfig.TLS_CERT)).contains(Path.of("/etc/c.pem"));
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
    void everyBadSettingIsReportedAtOnceWithTheRuleItBreaks() {
        assertThatThrownBy(() -> ServerConfig.fromMap(Map.of("port", "70000", "auth.rate-burst", "0",
                "events.dedup-window", "-PT1H")))
                .hasMessageContaining("setting port = '70000' (setting port) must be between 0 and 65535")
                .hasMessageContaining("setting auth.rate-burst = '0' (setting auth.rate-burst) must be positive")
                .hasMessageContaining("setting events.dedup-window = '-PT1H' (setting events.dedup-window) must not "
                        + "be negative");
        assertThatThrownBy(() -> ServerConfig.fromMap(Map.of("tls.cert", "cert.pem")))
                .hasMessageContaining("TLS needs both tls.cert and tls.key (only tls.cert from setting tls.cert is set)");
    }

    @Test
    void durationsAndSizes() {
        assertThat(ServerConfig.fromMap(Map.of("events.max-request-bytes", "10MB")).get(ServerConfig.MAX_REQUEST_BYTES))
                .isEqualTo(10_000_000L);
        assertThat(ServerConfig.fromMap(Map.of("events.dedup-window", "0")).get(ServerConfig.DEDUP_WINDOW)).isZero();
        assertThat(ServerConfig.fromMap(Map.of("pull.ack-deadline", "500MS")).get(ServerConfig.PULL_ACK_DEADLINE))
                .isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void everySettingHasARowInTheServerGuide() throws Exception {
        String guide = Files.readString(Path.of("README-server.md"));
        assertThat(ServerConfig.SETTINGS).allSatisfy(s -> assertThat(guide)
                .as("README-server.md documents %s", s.name())
                .contains("| `" + s.name() + "` | `" + s.envVar() + "` | "
                        + (s.defaultText().isEmpty() ? "" : "`" + s.defaultText() + "`")));
    }

    @Test
    void printConfigShowsComputedDefaultsAndOrigins() {
        ServerConfig config = ServerConfig.fromMap(Map.of("port", "9000"));
        assertThat(config.describe()).extracting(d -> d.setting().name() + "=" + d.text() + " (" + d.origin() + ")")
                .contains("port=9000 (setting port)", "public-url=http://localhost:9000/ (default)",
                        "schemas.dir=./herald-data/schemas (default)", "events.dedup-window=24h (default)");
        assertThat(config.with(ServerConfig.PORT, "9100").get(ServerConfig.PORT)).isEqualTo(9100);
    }
}
