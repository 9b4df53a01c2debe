package dev.herald.transport.pubsub;

import dev.herald.settings.Setting;
import dev.herald.settings.Settings;
import dev.herald.settings.SettingsException;
import dev.herald.transport.Transport;
import dev.herald.transport.TransportProvider;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code --transport pubsub}: {@link PubSubTransport} in project {@code pubsub.project}, on real Pub/Sub with
 * Application Default Credentials (optionally at {@code pubsub.endpoint}) or on the emulator at
 * {@code pubsub.emulator-host}.
 */
public final class PubSubTransportProvider implements TransportProvider {

    static final Setting<String> PROJECT = Setting.text("pubsub.project", "",
            "Google Cloud project id holding Herald's topics and subscriptions (transport=pubsub).");
    static final Setting<String> ENDPOINT = Setting.text("pubsub.endpoint", "",
            "Pub/Sub API host:port, e.g. a regional europe-west1-pubsub.googleapis.com:443; empty for the global "
                    + "endpoint. Credentials are Application Default Credentials (transport=pubsub).");
    static final Setting<String> EMULATOR_HOST = Setting.text("pubsub.emulator-host", "",
            "host:port of a Pub/Sub emulator: plaintext, no credentials, no replay; overrides pubsub.endpoint "
                    + "(transport=pubsub).");
    static final Setting<String> PREFIX = Setting.text("pubsub.prefix", "herald-",
            "Put before the id of every topic and subscription Herald creates (transport=pubsub).");
    static final Setting<java.time.Duration> ACK_DEADLINE = Setting.duration("pubsub.ack-deadline", "60s",
            "Lease of a delivery: unsettled this long (while its consumer stops polling), it is delivered again; "
                    + "10s-600s (transport=pubsub).");
    static final Setting<Integer> MAX_DELIVERY_ATTEMPTS = Setting.integer("pubsub.max-delivery-attempts", "100",
            "Pub/Sub's own dead-letter policy: deliveries without an ack before the broker dead-letters a message; "
                    + "5-100 (transport=pubsub).");
    static final Setting<java.time.Duration> TOPIC_RETENTION = Setting.duration("pubsub.topic-retention", "7d",
            "How long topics keep acknowledged messages, for earliest/timestamp starts and seek; 0 turns replay off, "
                    + "else 10m-31d (transport=pubsub).");

    @Override
    public String name() {
        return "pubsub";
    }

    @Override
    public String description() {
        return "Google Cloud Pub/Sub; needs pubsub.project (and pubsub.emulator-host for the emulator)";
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(PROJECT, ENDPOINT, EMULATOR_HOST, PREFIX, ACK_DEADLINE, MAX_DELIVERY_ATTEMPTS, TOPIC_RETENTION);
    }

    @Override
    public void check(Settings settings) {
        if (settings.get(PROJECT).isEmpty()) {
            throw new SettingsException("transport=pubsub needs " + PROJECT + " (a Google Cloud project id)");
        }
        options(settings);
    }

    @Override
    public Transport open(Settings settings, Path dataDir) {
        check(settings);
        return PubSubTransport.open(options(settings));
    }

    private static PubSubOptions options(Settings settings) {
        try {
            String emulator = settings.get(EMULATOR_HOST);
            PubSubOptions base = emulator.isEmpty()
                    ? PubSubOptions.gcp(settings.get(PROJECT)).withEndpoint(settings.get(ENDPOINT))
                            .withTopicRetention(settings.get(TOPIC_RETENTION))
                    : PubSubOptions.emulator(settings.get(PROJECT), emulator);
            return base.withPrefix(settings.get(PREFIX)).withAckDeadline(settings.get(ACK_DEADLINE))
                    .withMaxDeliveryAttempts(settings.get(MAX_DELIVERY_ATTEMPTS));
        } catch (IllegalArgumentException e) {
            throw new SettingsException("the Pub/Sub settings cannot be used: " + e.getMessage(), e);
        }
    }
}
