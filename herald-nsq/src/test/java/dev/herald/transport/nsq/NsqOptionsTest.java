package dev.herald.transport.nsq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.settings.Settings;
import dev.herald.settings.SettingsException;
import dev.herald.transport.TransportProvider;
import dev.herald.transport.TransportProviders;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NsqOptionsTest {

    @Test
    void everyProblemIsNamedAtOnce() {
        assertThatThrownBy(() -> NsqOptions.of("nsqd", "127.0.0.1:99999", Path.of("."))
                .withMaxInFlight(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nsqd: address must be host:port")
                .hasMessageContaining("nsqdHttp: port must be 1 to 65535");
        assertThatThrownBy(() -> NsqOptions.of("a:1", "a:2", Path.of(".")).withMaxInFlight(0))
                .hasMessageContaining("maxInFlight must be 1 to 2500");
        assertThatThrownBy(() -> NsqOptions.of("a:1", "a:2", Path.of(".")).withMessageTimeout(Duration.ofMillis(10)))
                .hasMessageContaining("messageTimeout must be PT1S to PT15M");
    }

    @Test
    void theProviderIsFoundAndChecksItsSettings() {
        TransportProvider provider = TransportProviders.installed().named("nsq");
        assertThat(provider).isInstanceOf(NsqTransportProvider.class);
        Settings bad = Settings.of(provider.settings(), Map.of("nsq.nsqd", "no-port"));
        assertThatThrownBy(() -> provider.check(bad)).isInstanceOf(SettingsException.class)
                .hasMessageContaining("nsq.nsqd").hasMessageContaining("address must be host:port: no-port");
        Settings good = Settings.of(provider.settings(), Map.of("nsq.durable", "true"));
        provider.check(good);
    }
}
