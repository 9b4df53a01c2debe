package dev.herald.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    static final Setting<Duration> TIMEOUT = Setting.duration("client.timeout", "10s", "How long to wait.")
            .require(Duration::isPositive, "must be positive");
    static final Setting<Path> DIR = Setting.path("client.dir", "data", "Where files go.");
    static final Setting<Integer> RETRIES = Setting.integer("client.retries", "3", "How often to retry.");
    static final List<Setting<?>> DECLARED = List.of(TIMEOUT, DIR, RETRIES);

    @TempDir
    Path tmp;

    @Test
    void defaultsParseAndEnvironmentNamesDeriveFromTheName() {
        Settings settings = Settings.of(DECLARED, Map.of());
        assertThat(settings.get(TIMEOUT)).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.get(RETRIES)).isEqualTo(3);
        assertThat(settings.origin(TIMEOUT)).isEqualTo("default");
        assertThat(settings.isSet(TIMEOUT)).isFalse();
        assertThat(TIMEOUT.envVar()).isEqualTo("HERALD_CLIENT_TIMEOUT");
    }

    @Test
    void flagsBeatEnvironmentBeatFileAndFilePathsAreRelativeToTheFile() throws Exception {
        Path file = tmp.resolve("c.json");
        Files.writeString(file, "{\"client\": {\"timeout\": \"1m\", \"dir\": \"store\", \"retries\": 5}}");
        Settings settings = Settings.load(DECLARED, file, Map.of("HERALD_CLIENT_TIMEOUT", "2m"),
                Map.of("client.retries", "7"));
        assertThat(settings.get(TIMEOUT)).isEqualTo(Duration.ofMinutes(2));
        assertThat(settings.get(RETRIES)).isEqualTo(7);
        assertThat(settings.get(DIR)).isEqualTo(tmp.resolve("store"));
        assertThat(settings.origin(DIR)).isEqualTo("file " + file);
        assertThat(settings.origin(TIMEOUT)).isEqualTo("environment variable HERALD_CLIENT_TIMEOUT");
        assertThat(settings.describe()).extracting(Settings.Described::text)
                .containsExactly("2m", tmp.resolve("store").toString(), "7");
    }

    @Test
    void unknownNamesSuggestTheNearestAndBadValuesAreAllNamed() {
        assertThatThrownBy(() -> Settings.of(DECLARED, Map.of("client.timout", "1s")))
                .isInstanceOf(SettingsException.class).hasMessageContaining("did you mean 'client.timeout'");
        assertThatThrownBy(() -> Settings.of(DECLARED, Map.of("client.timeout", "0", "client.retries", "x")))
                .hasMessageContaining("setting client.timeout = '0' (setting client.timeout) must be positive")
                .hasMessageContaining("setting client.retries = 'x' (setting client.retries) must be a whole number");
    }

    @Test
    void aSettingNotDeclaredHereCannotBeRead() {
        Settings settings = Settings.of(List.of(TIMEOUT), Map.of());
        assertThatThrownBy(() -> settings.get(RETRIES)).hasMessageContaining("client.retries is not declared");
        assertThatThrownBy(() -> Settings.of(List.of(TIMEOUT, TIMEOUT), Map.of())).hasMessageContaining("twice");
    }

    @Test
    void oneDurationGrammar() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("7D")).isEqualTo(Duration.ofDays(7));
        assertThat(Durations.parse("PT24H")).isEqualTo(Duration.ofHours(24));
        assertThat(Durations.parse("0")).isZero();
        assertThatThrownBy(() -> Durations.parse("a day")).hasMessage(Durations.RULE);
        assertThat(Durations.parse(Durations.format(Duration.ofMillis(1500)))).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void sizes() {
        assertThat(Sizes.parse("512KiB")).isEqualTo(512 * 1024);
        assertThat(Sizes.parse("10mb")).isEqualTo(10_000_000);
        assertThatThrownBy(() -> Sizes.parse("10 parsecs")).hasMessage(Sizes.RULE);
        assertThatThrownBy(() -> Sizes.parse("999999999999999999GiB")).hasMessage("is too large");
    }
}
