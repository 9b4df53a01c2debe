package dev.herald.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.settings.Setting;
import dev.herald.settings.Settings;
import dev.herald.transport.memory.InMemoryTransport;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

class TransportProvidersTest {

    record Provider(String name, List<Setting<?>> settings) implements TransportProvider {
        @Override
        public String description() {
            return "for tests";
        }

        @Override
        public Transport open(Settings settings, Path dataDir) {
            return new InMemoryTransport();
        }
    }

    static final Setting<String> URL = Setting.text("alpha.url", "", "Where alpha is.");

    @Test
    void providersAreFoundByNameAndAnUnknownNameListsTheInstalledOnes() {
        TransportProviders providers = TransportProviders.of(List.of(new Provider("beta", List.of()),
                new Provider("alpha", List.of(URL))));
        assertThat(providers.named("alpha").settings()).containsExactly(URL);
        assertThat(providers.settings()).containsExactly(URL);
        assertThatThrownBy(() -> providers.named("gamma")).hasMessage("must be one of alpha, beta (the transports installed)");
    }

    @Test
    void twoProvidersMayNotShareANameOrASetting() {
        assertThatThrownBy(() -> TransportProviders.of(List.of(new Provider("alpha", List.of()),
                new Provider("alpha", List.of())))).hasMessageContaining("two transports are named alpha");
        assertThatThrownBy(() -> TransportProviders.of(List.of(new Provider("alpha", List.of(URL)),
                new Provider("beta", List.of(URL))))).hasMessage("setting alpha.url is declared by transports alpha and beta");
        assertThatThrownBy(() -> TransportProviders.of(List.of(new Provider("Alpha!", List.of()))))
                .hasMessageContaining("lowercase");
    }

    @Test
    void theCoreShipsNoProviderOfItsOwn() {
        assertThat(TransportProviders.installed().all()).isEmpty();
    }
}
