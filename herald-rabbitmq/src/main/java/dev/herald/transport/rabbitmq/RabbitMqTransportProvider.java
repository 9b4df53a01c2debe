package dev.herald.transport.rabbitmq;

import dev.herald.settings.Setting;
import dev.herald.settings.Settings;
import dev.herald.settings.SettingsException;
import dev.herald.transport.Transport;
import dev.herald.transport.TransportProvider;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** {@code --transport rabbitmq}: {@link RabbitMqTransport} on the broker {@code rabbitmq.uri} names. */
public final class RabbitMqTransportProvider implements TransportProvider {

    static final Setting<URI> URI_SETTING = Setting.of("rabbitmq.uri", "amqp://guest:guest@127.0.0.1:5672",
            "AMQP URI of the RabbitMQ broker (3.10 or later): amqp[s]://user:password@host:port/vhost (transport=rabbitmq).",
            (text, base) -> {
                URI uri = URI.create(text);
                if (!"amqp".equals(uri.getScheme()) && !"amqps".equals(uri.getScheme())) {
                    throw new IllegalArgumentException("must be an amqp:// or amqps:// URI");
                }
                return uri;
            });
    static final Setting<String> PREFIX = Setting.text("rabbitmq.prefix", "herald",
            "Starts the name of every exchange, queue and stream Herald declares (transport=rabbitmq).");
    static final Setting<Integer> DELIVERY_LIMIT = Setting.integer("rabbitmq.delivery-limit", "50",
            "An event returned unsettled this many times (its consumers closed or died holding it) is dead-lettered "
                    + "by the broker; the quorum queue's x-delivery-limit (transport=rabbitmq).")
            .require(limit -> limit >= 1, "must be at least 1");
    static final Setting<Integer> PREFETCH = Setting.integer("rabbitmq.prefetch", "100",
            "Unsettled deliveries per consumer (basic.qos) (transport=rabbitmq).")
            .require(prefetch -> prefetch >= 1 && prefetch <= 65_535, "must be between 1 and 65535");
    static final Setting<Integer> ORDERING_SHARDS = Setting.integer("rabbitmq.ordering-shards", "4",
            "Queues an ordered subscription spreads its keys over, each read by one consumer at a time; fixed when the "
                    + "subscription is created (transport=rabbitmq).")
            .require(shards -> shards >= 1 && shards <= 256, "must be between 1 and 256");
    static final Setting<Duration> RETENTION = Setting.duration("rabbitmq.retention", "7d",
            "How long a topic's stream keeps events for replay (x-max-age) (transport=rabbitmq).")
            .require(age -> age.toSeconds() >= 1, "must be at least 1s");

    @Override
    public String name() {
        return "rabbitmq";
    }

    @Override
    public String description() {
        return "RabbitMQ 3.10+ quorum queues and streams; rabbitmq.uri defaults to a local broker";
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(URI_SETTING, PREFIX, DELIVERY_LIMIT, PREFETCH, ORDERING_SHARDS, RETENTION);
    }

    @Override
    public Transport open(Settings settings, Path dataDir) {
        RabbitMqOptions options;
        try {
            options = RabbitMqOptions.defaults()
                    .withUri(settings.get(URI_SETTING))
                    .withPrefix(settings.get(PREFIX))
                    .withDeliveryLimit(settings.get(DELIVERY_LIMIT))
                    .withPrefetch(settings.get(PREFETCH))
                    .withOrderingShards(settings.get(ORDERING_SHARDS))
                    .withRetention(settings.get(RETENTION));
        } catch (IllegalArgumentException e) {
            throw new SettingsException("the RabbitMQ settings cannot be used: " + e.getMessage(), e);
        }
        return RabbitMqTransport.open(options);
    }
}
