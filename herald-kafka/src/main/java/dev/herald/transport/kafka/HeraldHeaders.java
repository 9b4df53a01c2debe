package dev.herald.transport.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Herald's own record headers, on dead-letter topic records only. They use the {@code herald_}
 * prefix, never {@code ce_}, so the CloudEvents binding ignores them and they never become event
 * attributes. Values are UTF-8 text.
 */
final class HeraldHeaders {

    /** What a dead-letter topic record is: {@link #DEAD}, {@link #REDRIVE} or {@link #DISCARD}. */
    static final String KIND = "herald_kind";
    /** A dead letter: the event, its error and attempts. Its offset is its id. */
    static final String DEAD = "dead";
    /** A redriven dead letter: the event again, delivered to the subscription as new; settles {@link #REF}. */
    static final String REDRIVE = "redrive";
    /** A discarded dead letter: no value; settles {@link #REF}. */
    static final String DISCARD = "discard";
    /** The dead-letter id a redrive or discard record settles. */
    static final String REF = "herald_ref";
    /** The last error of a dead letter. */
    static final String ERROR = "herald_error";
    /** How many deliveries were attempted before the event was dead-lettered. */
    static final String ATTEMPTS = "herald_attempts";
    /** When the event was first delivered to the subscription (epoch milliseconds). */
    static final String FIRST_ATTEMPT_AT = "herald_first_attempt_at";
    /** When the event was dead-lettered (epoch milliseconds). */
    static final String DEAD_AT = "herald_dead_at";
    /** When the event was originally published (epoch milliseconds). */
    static final String PUBLISHED_AT = "herald_published_at";
    /** Where the event came from: {@code topic/partition@offset}. */
    static final String ORIGIN = "herald_origin";

    private HeraldHeaders() {
    }

    static void put(Headers headers, String name, Object value) {
        headers.remove(name);
        headers.add(name, String.valueOf(value).getBytes(StandardCharsets.UTF_8));
    }

    static String get(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    static long getLong(Headers headers, String name, long fallback) {
        String value = get(headers, name);
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
