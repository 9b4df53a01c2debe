package dev.herald.transport;

import dev.herald.filter.EventAttributes;
import io.cloudevents.CloudEvent;
import java.util.List;
import java.util.Objects;

/**
 * The part of a subscription's filter a broker can evaluate before delivery
 * ({@link Capability#NATIVE_FILTERING}): exact and prefix matches of event attributes, combined with
 * {@link All all}, {@link Any any} and {@link Not not}. The core derives it from the subscription's full
 * filter ({@link dev.herald.filter.Filter#nativePart()}) so that it accepts at least every event the full
 * filter accepts, and still applies the full filter to every delivery. So a transport may evaluate all of it,
 * part of it (dropping conditions of an {@code all}, never of an {@code any} or a {@code not}), or none of
 * it, and stays correct: it only saves the deliveries the broker does not make.
 *
 * <p>Attributes are named as in CloudEvents ({@code type}, {@code source}, {@code subject}, an extension
 * such as {@code project}) and compared, case-sensitively, in their canonical string form; an event without
 * the attribute matches no {@link Exact} and no {@link Prefix}. {@link #matches} is the reference semantics.
 */
public sealed interface NativeFilter {

    /** Accepts every event: nothing to evaluate natively. */
    NativeFilter ALL = new All(List.of());

    /** Whether {@code event} passes: what a broker evaluating this filter must decide. */
    boolean matches(CloudEvent event);

    /** Whether this filter accepts every event ({@link #ALL}, or an {@code all} of nothing). */
    default boolean isAll() {
        return this instanceof All all && all.filters().isEmpty();
    }

    /**
     * The attribute equals {@code value}.
     *
     * @param attribute a CloudEvents attribute or extension name
     * @param value     the value, compared with the attribute's canonical string form
     */
    record Exact(String attribute, String value) implements NativeFilter {
        public Exact {
            requireAttribute(attribute);
            Objects.requireNonNull(value, "value");
        }

        @Override
        public boolean matches(CloudEvent event) {
            return value.equals(EventAttributes.asString(event, attribute));
        }
    }

    /**
     * The attribute starts with {@code prefix}.
     *
     * @param attribute a CloudEvents attribute or extension name
     * @param prefix    the prefix, compared with the attribute's canonical string form
     */
    record Prefix(String attribute, String prefix) implements NativeFilter {
        public Prefix {
            requireAttribute(attribute);
            Objects.requireNonNull(prefix, "prefix");
        }

        @Override
        public boolean matches(CloudEvent event) {
            String actual = EventAttributes.asString(event, attribute);
            return actual != null && actual.startsWith(prefix);
        }
    }

    /** Every filter matches; none given matches everything. */
    record All(List<NativeFilter> filters) implements NativeFilter {
        public All {
            filters = List.copyOf(filters);
        }

        @Override
        public boolean matches(CloudEvent event) {
            return filters.stream().allMatch(f -> f.matches(event));
        }
    }

    /** At least one filter matches; none given matches nothing. */
    record Any(List<NativeFilter> filters) implements NativeFilter {
        public Any {
            filters = List.copyOf(filters);
        }

        @Override
        public boolean matches(CloudEvent event) {
            return filters.stream().anyMatch(f -> f.matches(event));
        }
    }

    /** The filter does not match. */
    record Not(NativeFilter filter) implements NativeFilter {
        public Not {
            Objects.requireNonNull(filter, "filter");
        }

        @Override
        public boolean matches(CloudEvent event) {
            return !filter.matches(event);
        }
    }

    private static void requireAttribute(String attribute) {
        if (attribute == null || attribute.isEmpty()) {
            throw new IllegalArgumentException("attribute: must name a CloudEvents attribute");
        }
    }
}
