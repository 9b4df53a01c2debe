package dev.herald.transport.rabbitmq;

import dev.herald.event.Violation;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How a {@link RabbitMqTransport} reaches RabbitMQ and lays out its exchanges and queues. Start from
 * {@link #defaults()} and change what you need:
 * <pre>{@code
 * RabbitMqOptions options = RabbitMqOptions.defaults()
 *     .withUri(URI.create("amqps://herald:secret@rabbit.internal:5671/events"))
 *     .withDeliveryLimit(20);
 * }</pre>
 * Every rule is checked at once: a bad combination fails with an {@link IllegalArgumentException} that
 * names each broken field.
 *
 * @param uri               the AMQP 0-9-1 URI: {@code amqp://user:password@host:port/vhost}, or {@code amqps://}
 *                          for TLS; default {@code amqp://guest:guest@127.0.0.1:5672}
 * @param prefix            starts the name of every exchange, queue and stream Herald declares, so that
 *                          several Herald installations can share one virtual host; default {@code herald}
 * @param deliveryLimit     the quorum queue's {@code x-delivery-limit}: an event returned to its
 *                          subscription queue unsettled this many times (its consumers closed or died while
 *                          holding it) is dead-lettered by the broker; default 50. Nacks do not count: a
 *                          nack re-publishes the event (see {@link RabbitMqTransport})
 * @param prefetch          at most this many unsettled deliveries per consumer ({@code basic.qos}); default 100
 * @param publisherChannels confirm-mode channels publishes share; a publish holds one until its confirms
 *                          arrive; default 8
 * @param confirmTimeout    how long a publish waits for the broker's confirms before it fails; default 30 s
 * @param retention         how long a topic's stream keeps events for replay ({@code x-max-age}); default 7 days
 * @param orderingShards    how many queues an ordered subscription spreads its keys over (each consumed by one
 *                          consumer at a time); fixed when the subscription is created; default 4
 */
public record RabbitMqOptions(URI uri, String prefix, int deliveryLimit, int prefetch, int publisherChannels,
                              Duration confirmTimeout, Duration retention, int orderingShards) {

    private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9_-]{0,31}");

    public RabbitMqOptions {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(confirmTimeout, "confirmTimeout");
        Objects.requireNonNull(retention, "retention");
        List<Violation> violations = new ArrayList<>();
        if (!"amqp".equals(uri.getScheme()) && !"amqps".equals(uri.getScheme())) {
            violations.add(new Violation("uri", "must be an amqp:// or amqps:// URI", "scheme " + uri.getScheme()));
        }
        if (!PREFIX.matcher(prefix).matches()) {
            violations.add(new Violation("prefix",
                    "must be a lowercase letter then up to 31 lowercase letters, digits, '_' or '-'", prefix));
        }
        if (deliveryLimit < 1) {
            violations.add(new Violation("deliveryLimit", "must be at least 1", String.valueOf(deliveryLimit)));
        }
        if (prefetch < 1 || prefetch > 65_535) {
            violations.add(new Violation("prefetch", "must be between 1 and 65535", String.valueOf(prefetch)));
        }
        if (publisherChannels < 1) {
            violations.add(new Violation("publisherChannels", "must be at least 1", String.valueOf(publisherChannels)));
        }
        if (!confirmTimeout.isPositive()) {
            violations.add(new Violation("confirmTimeout", "must be positive", confirmTimeout.toString()));
        }
        if (retention.toSeconds() < 1) {
            violations.add(new Violation("retention", "must be at least one second", retention.toString()));
        }
        if (orderingShards < 1 || orderingShards > 256) {
            violations.add(new Violation("orderingShards", "must be between 1 and 256", String.valueOf(orderingShards)));
        }
        if (!violations.isEmpty()) {
            throw new IllegalArgumentException("invalid RabbitMQ options: " + violations.stream()
                    .map(Violation::toString).reduce((a, b) -> a + "; " + b).orElseThrow());
        }
    }

    /** The defaults documented on each component: a local broker with the {@code guest} user. */
    public static RabbitMqOptions defaults() {
        return new RabbitMqOptions(URI.create("amqp://guest:guest@127.0.0.1:5672"), "herald", 50, 100, 8,
                Duration.ofSeconds(30), Duration.ofDays(7), 4);
    }

    /** These options with another {@link #uri()}. */
    public RabbitMqOptions withUri(URI value) {
        return new RabbitMqOptions(value, prefix, deliveryLimit, prefetch, publisherChannels, confirmTimeout, retention,
                orderingShards);
    }

    /** These options with another {@link #prefix()}. */
    public RabbitMqOptions withPrefix(String value) {
        return new RabbitMqOptions(uri, value, deliveryLimit, prefetch, publisherChannels, confirmTimeout, retention,
                orderingShards);
    }

    /** These options with another {@link #deliveryLimit()}. */
    public RabbitMqOptions withDeliveryLimit(int value) {
        return new RabbitMqOptions(uri, prefix, value, prefetch, publisherChannels, confirmTimeout, retention,
                orderingShards);
    }

    /** These options with another {@link #prefetch()}. */
    public RabbitMqOptions withPrefetch(int value) {
        return new RabbitMqOptions(uri, prefix, deliveryLimit, value, publisherChannels, confirmTimeout, retention,
                orderingShards);
    }

    /** These options with another {@link #publisherChannels()}. */
    public RabbitMqOptions withPublisherChannels(int value) {
        return new RabbitMqOptions(uri, prefix, deliveryLimit, prefetch, value, confirmTimeout, retention,
                orderingShards);
    }

    /** These options with another {@link #confirmTimeout()}. */
    public RabbitMqOptions withConfirmTimeout(Duration value) {
        return new RabbitMqOptions(uri, prefix, deliveryLimit, prefetch, publisherChannels, value, retention,
                orderingShards);
    }

    /** These options with another {@link #retention()}. */
    public RabbitMqOptions withRetention(Duration value) {
        return new RabbitMqOptions(uri, prefix, deliveryLimit, prefetch, publisherChannels, confirmTimeout, value,
                orderingShards);
    }

    /** These options with another {@link #orderingShards()}. */
    public RabbitMqOptions withOrderingShards(int value) {
        return new RabbitMqOptions(uri, prefix, deliveryLimit, prefetch, publisherChannels, confirmTimeout, retention,
                value);
    }

    /** The URI without its password, for messages and logs. */
    String safeUri() {
        String userInfo = uri.getUserInfo();
        if (userInfo == null || !userInfo.contains(":")) {
            return uri.toString();
        }
        return uri.toString().replace(userInfo, userInfo.substring(0, userInfo.indexOf(':')) + ":***");
    }
}
