package dev.herald.transport.pubsub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.settings.Settings;
import dev.herald.settings.SettingsException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PubSubOptionsTest {

    @Test
    void everyBrokenRuleIsReportedAtOnce() {
        assertThatThrownBy(() -> new PubSubOptions("Bad_Project", "no-port", true, "goog-", Duration.ofSeconds(5), 200,
                Duration.ofMinutes(1), 0, Duration.ofSeconds(2), 10, 0, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("project:", "endpoint: must be host:port", "prefix:", "ackDeadline:",
                        "maxDeliveryAttempts:", "topicRetention:", "publishBatchSize:", "publishBatchDelay:",
                        "maxOutstandingPublishBytes:", "maxPendingPerConsumer:", "requestTimeout:");
    }

    @Test
    void theEmulatorHasNoRetentionAndRealPubSubKeepsSevenDays() {
        PubSubOptions emulator = PubSubOptions.emulator("local-dev", "127.0.0.1:8085");
        assertThat(emulator.emulator()).isTrue();
        assertThat(emulator.topicRetention()).isZero();
        PubSubOptions gcp = PubSubOptions.gcp("my-project");
        assertThat(gcp.emulator()).isFalse();
        assertThat(gcp.endpoint()).isEmpty();
        assertThat(gcp.topicRetention()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void theProviderNeedsAProjectAndNamesTheBrokenSetting() {
        PubSubTransportProvider provider = new PubSubTransportProvider();
        assertThatThrownBy(() -> provider.check(Settings.of(provider.settings(), Map.of())))
                .isInstanceOf(SettingsException.class).hasMessageContaining("pubsub.project");
        assertThatThrownBy(() -> provider.check(Settings.of(provider.settings(),
                Map.of("pubsub.project", "my-project", "pubsub.ack-deadline", "1s"))))
                .isInstanceOf(SettingsException.class).hasMessageContaining("ackDeadline: must be 10 s to 600 s");
        provider.check(Settings.of(provider.settings(), Map.of("pubsub.project", "my-project",
                "pubsub.emulator-host", "127.0.0.1:8085")));
    }
}
