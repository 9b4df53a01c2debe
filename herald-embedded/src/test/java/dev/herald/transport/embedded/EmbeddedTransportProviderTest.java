package dev.herald.transport.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.settings.Settings;
import dev.herald.transport.Transport;
import dev.herald.transport.TransportProvider;
import dev.herald.transport.TransportProviders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provider {@code herald serve} finds by {@link java.util.ServiceLoader}: registered, documented, opening a store. */
class EmbeddedTransportProviderTest {

    @TempDir
    Path data;

    @Test
    void isFoundByNameAndOpensTheStoreInTheDataDirectory() {
        TransportProvider provider = TransportProviders.installed().named("embedded");
        Settings settings = Settings.of(provider.settings(), Map.of("store.retention-max-age", "3d"));
        try (Transport transport = provider.open(settings, data)) {
            assertThat(transport.name()).isEqualTo("embedded");
        }
        assertThat(Files.exists(data.resolve("events.db"))).isTrue();
    }

    @Test
    void itsSettingsAreCheckedByTheirOwnRules() {
        TransportProvider provider = new EmbeddedTransportProvider();
        assertThatThrownBy(() -> Settings.of(provider.settings(), Map.of("store.retention-max-age", "0")))
                .hasMessageContaining("store.retention-max-age = '0' (setting store.retention-max-age) must be positive");
        assertThat(Settings.of(provider.settings(), Map.of()).get(EmbeddedTransportProvider.RETENTION_MAX_BYTES))
                .isZero();
    }
}
