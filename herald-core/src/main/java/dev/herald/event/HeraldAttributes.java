package dev.herald.event;

import io.cloudevents.CloudEventExtensions;
import io.cloudevents.core.extensions.DistributedTracingExtension;
import java.util.Optional;
import java.util.Set;

/**
 * Herald's extension attributes and typed access to them on any {@link io.cloudevents.CloudEvent}.
 *
 * <p>All names follow the CloudEvents naming rule (lowercase a–z and 0–9, at most 20 characters) so
 * they survive every protocol binding unchanged (HTTP {@code ce-} headers, Kafka {@code ce_} headers,
 * AMQP application properties).
 */
public final class HeraldAttributes {

    /** The project the event belongs to, e.g. {@code gid://gitlab/Project/392359}. */
    public static final String PROJECT = "project";
    /** How the event was triggered: {@code app_user}, {@code system}, {@code api_token}, … */
    public static final String AUTHTYPE = "authtype";
    /** Who triggered it, e.g. {@code gid://gitlab/User/123}. */
    public static final String AUTHID = "authid";
    /** The request or job that caused the event; shared by every event of one causal chain. */
    public static final String CORRELATIONID = "correlationid";
    /** The id of the event whose handling caused this one. */
    public static final String CAUSATIONID = "causationid";
    /** The ordering key; when absent, {@link #orderingKey} falls back to project, then subject. */
    public static final String PARTITIONKEY = "partitionkey";
    /** W3C trace context, per the CloudEvents distributed-tracing extension. */
    public static final String TRACEPARENT = DistributedTracingExtension.TRACEPARENT;
    /** W3C trace state, per the CloudEvents distributed-tracing extension. */
    public static final String TRACESTATE = DistributedTracingExtension.TRACESTATE;

    /** Every extension Herald defines; all of them carry string values. */
    public static final Set<String> ALL =
            Set.of(PROJECT, AUTHTYPE, AUTHID, CORRELATIONID, CAUSATIONID, PARTITIONKEY, TRACEPARENT, TRACESTATE);

    private HeraldAttributes() {
    }

    /** The {@code project} extension. */
    public static Optional<String> project(CloudEventExtensions event) {
        return string(event, PROJECT);
    }

    /** The {@code authtype} extension. */
    public static Optional<String> authType(CloudEventExtensions event) {
        return string(event, AUTHTYPE);
    }

    /** The {@code authid} extension. */
    public static Optional<String> authId(CloudEventExtensions event) {
        return string(event, AUTHID);
    }

    /** The {@code correlationid} extension. */
    public static Optional<String> correlationId(CloudEventExtensions event) {
        return string(event, CORRELATIONID);
    }

    /** The {@code causationid} extension. */
    public static Optional<String> causationId(CloudEventExtensions event) {
        return string(event, CAUSATIONID);
    }

    /** The {@code partitionkey} extension as set on the event (no fallback). */
    public static Optional<String> partitionKey(CloudEventExtensions event) {
        return string(event, PARTITIONKEY);
    }

    /** The {@code traceparent} extension. */
    public static Optional<String> traceparent(CloudEventExtensions event) {
        return string(event, TRACEPARENT);
    }

    /** The {@code tracestate} extension. */
    public static Optional<String> tracestate(CloudEventExtensions event) {
        return string(event, TRACESTATE);
    }

    /**
     * The key that orders this event relative to others: {@code partitionkey}, else {@code project},
     * else {@code subject}; empty when none is set (the event is then unordered).
     */
    public static Optional<String> orderingKey(io.cloudevents.CloudEvent event) {
        return partitionKey(event).or(() -> project(event)).or(() -> Optional.ofNullable(event.getSubject()));
    }

    private static Optional<String> string(CloudEventExtensions event, String name) {
        Object value = event.getExtension(name);
        return value == null ? Optional.empty() : Optional.of(value.toString());
    }
}
