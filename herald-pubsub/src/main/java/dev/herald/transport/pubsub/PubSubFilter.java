package dev.herald.transport.pubsub;

import dev.herald.transport.NativeFilter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A subscription's {@link NativeFilter} in Pub/Sub's subscription filter syntax, evaluated by Pub/Sub on the
 * messages' attributes: {@code attributes.ce-type = "x"}, {@code hasPrefix(attributes.ce-subject, "y")},
 * {@code AND}, {@code OR} and {@code NOT}. An attribute is the message attribute the CloudEvents binding writes
 * ({@code ce-<name>}, {@code content-type} for {@code datacontenttype}; see {@link EventCodec}), compared in the
 * same canonical string form the client compares.
 *
 * <p>What does not translate is left to the client, which applies the subscription's whole filter anyway, so the
 * translation only ever accepts more than the filter, never less:
 * <ul>
 *   <li>a filter longer than Pub/Sub's {@value #MAX_BYTES}-byte limit keeps as many conditions of its top-level
 *       {@code all} as fit, in order; anything else that long translates to no filter;</li>
 *   <li>a value with a control character (which the syntax's string literals may not hold as such), and an
 *       {@code any} or {@code not} with such a part, does not translate (dropped from an {@code all});</li>
 *   <li>an empty {@code any} (nothing passes) and an empty {@code all} inside another filter have no Pub/Sub
 *       literal and translate to no filter.</li>
 * </ul>
 */
final class PubSubFilter {

    /** Pub/Sub refuses subscription filters longer than this, in bytes. */
    static final int MAX_BYTES = 256;

    private PubSubFilter() {
    }

    /** The Pub/Sub filter for {@code filter}; empty for none (every message is delivered). */
    static String translate(NativeFilter filter) {
        String whole = expression(filter);
        if (whole != null && fits(whole)) {
            return whole;
        }
        if (!(filter instanceof NativeFilter.All all)) {
            return "";
        }
        // Fewer conditions of a conjunction accept more: each kept condition narrows, none widens wrongly.
        List<String> kept = new ArrayList<>();
        for (NativeFilter condition : all.filters()) {
            String part = expression(condition);
            if (part == null) {
                continue;
            }
            kept.add(grouped(condition, part));
            if (!fits(String.join(" AND ", kept))) {
                kept.removeLast();
            }
        }
        return String.join(" AND ", kept);
    }

    /** The expression for {@code filter}, or null when it has none. */
    private static String expression(NativeFilter filter) {
        return switch (filter) {
            case NativeFilter.Exact exact -> literal(exact.value()) == null ? null
                    : key(exact.attribute()) + " = " + literal(exact.value());
            case NativeFilter.Prefix prefix -> literal(prefix.prefix()) == null ? null
                    : "hasPrefix(" + key(prefix.attribute()) + ", " + literal(prefix.prefix()) + ")";
            case NativeFilter.All all -> joined(all.filters(), " AND ");
            case NativeFilter.Any any -> joined(any.filters(), " OR ");
            case NativeFilter.Not not -> {
                String inner = expression(not.filter());
                yield inner == null ? null : "NOT (" + inner + ")";
            }
        };
    }

    /** The parts joined by {@code operator}, or null when there are none or one does not translate. */
    private static String joined(List<NativeFilter> parts, String operator) {
        if (parts.isEmpty()) {
            return null;
        }
        List<String> expressions = new ArrayList<>(parts.size());
        for (NativeFilter part : parts) {
            String expression = expression(part);
            if (expression == null) {
                return null;
            }
            expressions.add(grouped(part, expression));
        }
        return String.join(operator, expressions);
    }

    /** Pub/Sub does not let AND and OR mix unparenthesised: composite parts go in parentheses. */
    private static String grouped(NativeFilter part, String expression) {
        return part instanceof NativeFilter.All || part instanceof NativeFilter.Any ? "(" + expression + ")" : expression;
    }

    private static String key(String attribute) {
        return "attributes." + (attribute.equals("datacontenttype") ? EventCodec.CONTENT_TYPE
                : EventCodec.PREFIX + attribute);
    }

    /** A double-quoted string literal, or null for a value with a control character. */
    private static String literal(String value) {
        StringBuilder quoted = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.getType(c) == Character.CONTROL) {
                return null;
            }
            if (c == '"' || c == '\\') {
                quoted.append('\\');
            }
            quoted.append(c);
        }
        return quoted.append('"').toString();
    }

    private static boolean fits(String expression) {
        return expression.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES;
    }
}
