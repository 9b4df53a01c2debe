package dev.herald.event;

import io.cloudevents.CloudEvent;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * Carries the causal context of the current thread so that events published while handling an
 * event are linked to it without the handler's code doing anything: the new event gets
 * {@code causationid} = the handled event's id, and inherits its {@code correlationid} and
 * {@code traceparent}/{@code tracestate}. Outside a handler, a caller (a web request, a job) can
 * open a scope with its own correlation id.
 *
 * <p>Attributes the producer set explicitly are never overwritten. A thread-local is used because
 * handlers run on their own (virtual) threads and the scope never crosses threads.
 */
public final class Provenance {

    private static final ThreadLocal<Context> CURRENT = new ThreadLocal<>();

    /** What events published now are linked to. */
    private record Context(String causationId, String correlationId, String traceparent, String tracestate) {
    }

    private Provenance() {
    }

    /** Runs {@code work} as the handling of {@code event}: events it publishes are caused by it. */
    public static <T> T handling(CloudEvent event, Callable<T> work) throws Exception {
        String correlation = HeraldAttributes.correlationId(event).orElse(event.getId());
        return within(new Context(event.getId(), correlation, HeraldAttributes.traceparent(event).orElse(null),
                HeraldAttributes.tracestate(event).orElse(null)), work);
    }

    /** Runs {@code work} with a correlation id for every event it publishes (a request id, a job id). */
    public static <T> T withCorrelationId(String correlationId, Callable<T> work) throws Exception {
        return within(new Context(null, correlationId, null, null), work);
    }

    /** The correlation id of the current scope, if any. */
    public static Optional<String> correlationId() {
        Context context = CURRENT.get();
        return context == null ? Optional.empty() : Optional.ofNullable(context.correlationId());
    }

    /**
     * The event with the current scope's causation, correlation and trace attributes added where the
     * producer did not set them; the event itself when there is no scope or nothing to add.
     */
    public static CloudEvent apply(CloudEvent event) {
        Context context = CURRENT.get();
        if (context == null) {
            return event;
        }
        EventBuilder builder = null;
        builder = addIfAbsent(builder, event, HeraldAttributes.CAUSATIONID, context.causationId());
        builder = addIfAbsent(builder, event, HeraldAttributes.CORRELATIONID, context.correlationId());
        if (event.getExtension(HeraldAttributes.TRACEPARENT) == null) {
            builder = addIfAbsent(builder, event, HeraldAttributes.TRACEPARENT, context.traceparent());
            builder = addIfAbsent(builder, event, HeraldAttributes.TRACESTATE, context.tracestate());
        }
        return builder == null ? event : builder.build();
    }

    private static EventBuilder addIfAbsent(EventBuilder builder, CloudEvent event, String name, String value) {
        if (value == null || event.getExtension(name) != null) {
            return builder;
        }
        return (builder == null ? EventBuilder.from(event) : builder).extension(name, value);
    }

    private static <T> T within(Context context, Callable<T> work) throws Exception {
        Context previous = CURRENT.get();
        CURRENT.set(context);
        try {
            return work.call();
        } finally {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }
}
