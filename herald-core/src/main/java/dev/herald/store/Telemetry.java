package dev.herald.store;

import dev.herald.dispatch.DispatchObserver;
import dev.herald.dispatch.Outcome;
import dev.herald.event.HeraldAttributes;
import dev.herald.transport.SubscriptionStats;
import dev.herald.transport.Transport;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Logs every publish and every dispatch attempt as one structured line (SLF4J key-value pairs:
 * {@code event_id}, {@code type}, {@code topic} or {@code subscription}, {@code attempt},
 * {@code outcome}, {@code duration_ms}, {@code correlation_id}) and counts the same in Micrometer:
 * <ul>
 *   <li>{@code herald.publish} timer per topic and outcome ({@code ok}, {@code invalid}, {@code failed});</li>
 *   <li>{@code herald.published.events} counter per type;</li>
 *   <li>{@code herald.dispatch} timer per subscription and outcome ({@code acked}, {@code filtered},
 *       {@code retrying}, {@code dead_lettered});</li>
 *   <li>{@code herald.subscription.backlog}, {@code herald.subscription.dead.letters} and
 *       {@code herald.subscription.dropped.by.retention} (events a hard retention limit removed before
 *       the subscription consumed them) gauges.</li>
 * </ul>
 */
final class Telemetry implements DispatchObserver {

    private static final Logger PUBLISH_LOG = LoggerFactory.getLogger("herald.publish");
    private static final Logger DISPATCH_LOG = LoggerFactory.getLogger("herald.dispatch");

    private final MeterRegistry meters;
    private final Transport transport;
    private final ConcurrentHashMap<String, Counter> publishedByType = new ConcurrentHashMap<>();
    /** Subscriptions whose gauges are registered: a subscription closed and started again keeps them. */
    private final Set<String> watched = ConcurrentHashMap.newKeySet();

    Telemetry(MeterRegistry meters, Transport transport) {
        this.meters = meters;
        this.transport = transport;
    }

    void published(String topic, List<CloudEvent> events, long durationNanos) {
        Timer.builder("herald.publish").tag("topic", topic).tag("outcome", "ok")
                .register(meters).record(durationNanos, TimeUnit.NANOSECONDS);
        for (CloudEvent event : events) {
            publishedByType.computeIfAbsent(event.getType(), type -> Counter.builder("herald.published.events")
                    .tag("type", type).register(meters)).increment();
            if (PUBLISH_LOG.isInfoEnabled()) {
                PUBLISH_LOG.atInfo().setMessage("published")
                        .addKeyValue("event_id", event.getId())
                        .addKeyValue("type", event.getType())
                        .addKeyValue("topic", topic)
                        .addKeyValue("outcome", "ok")
                        .addKeyValue("duration_ms", millis(durationNanos))
                        .addKeyValue("correlation_id", HeraldAttributes.correlationId(event).orElse(null))
                        .log();
            }
        }
    }

    void publishFailed(String topic, List<CloudEvent> events, String outcome, String reason, long durationNanos) {
        Timer.builder("herald.publish").tag("topic", topic).tag("outcome", outcome)
                .register(meters).record(durationNanos, TimeUnit.NANOSECONDS);
        for (CloudEvent event : events) {
            PUBLISH_LOG.atWarn().setMessage("publish refused")
                    .addKeyValue("event_id", event.getId())
                    .addKeyValue("type", event.getType())
                    .addKeyValue("topic", topic)
                    .addKeyValue("outcome", outcome)
                    .addKeyValue("duration_ms", millis(durationNanos))
                    .addKeyValue("correlation_id", HeraldAttributes.correlationId(event).orElse(null))
                    .addKeyValue("reason", reason)
                    .log();
        }
    }

    @Override
    public void attempted(String subscription, CloudEvent event, int attempt, Outcome outcome, Duration duration,
                          Throwable error) {
        String outcomeName = outcome.name().toLowerCase(java.util.Locale.ROOT);
        Timer.builder("herald.dispatch").tag("subscription", subscription).tag("outcome", outcomeName)
                .register(meters).record(duration);
        Level level = switch (outcome) {
            case ACKED -> Level.INFO;
            case FILTERED -> Level.DEBUG;
            case RETRYING -> Level.WARN;
            case DEAD_LETTERED -> Level.ERROR;
        };
        if (DISPATCH_LOG.isEnabledForLevel(level)) {
            DISPATCH_LOG.atLevel(level).setMessage("dispatched")
                    .addKeyValue("event_id", event.getId())
                    .addKeyValue("type", event.getType())
                    .addKeyValue("subscription", subscription)
                    .addKeyValue("attempt", attempt)
                    .addKeyValue("outcome", outcomeName)
                    .addKeyValue("duration_ms", millis(duration.toNanos()))
                    .addKeyValue("correlation_id", HeraldAttributes.correlationId(event).orElse(null))
                    .addKeyValue("error", error == null ? null : error.toString())
                    .log();
        }
    }

    /** Registers the backlog and dead-letter gauges of a subscription (read from the transport on scrape). */
    void watch(String subscription) {
        if (!watched.add(subscription)) {
            return;
        }
        Gauge.builder("herald.subscription.backlog", () -> stats(subscription).backlog())
                .tag("subscription", subscription).register(meters);
        Gauge.builder("herald.subscription.dead.letters", () -> stats(subscription).deadLetters())
                .tag("subscription", subscription).register(meters);
        Gauge.builder("herald.subscription.dropped.by.retention", () -> stats(subscription).droppedByRetention())
                .tag("subscription", subscription).register(meters);
    }

    /** Removes a deleted subscription's meters. */
    void forget(String subscription) {
        watched.remove(subscription);
        meters.getMeters().stream()
                .filter(m -> subscription.equals(m.getId().getTag("subscription")))
                .forEach(meters::remove);
    }

    private SubscriptionStats stats(String subscription) {
        try {
            return transport.stats(subscription);
        } catch (RuntimeException e) {
            return new SubscriptionStats(-1, -1, -1, -1);
        }
    }

    private static double millis(long nanos) {
        return Math.round(nanos / 10_000.0) / 100.0;
    }
}
