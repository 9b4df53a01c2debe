package dev.herald.transport.rabbitmq;

import com.rabbitmq.client.AMQP;
import dev.herald.event.JsonEvents;
import dev.herald.transport.EncodedEvent;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.jackson.JsonFormat;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Events to and from AMQP messages. The body is the event in the CloudEvents JSON format (structured mode,
 * {@code application/cloudevents+json}), so every attribute and the data travel byte for byte; the message id
 * is the event id, and Herald's bookkeeping rides in {@code herald-*} headers:
 * <ul>
 *   <li>{@code herald-published-at}: when the transport published the event (epoch milliseconds); what replay
 *       from a timestamp compares;</li>
 *   <li>{@code herald-ordering-key}: the event's ordering key as published (absent for an unordered event), so
 *       that a copy re-entering an ordered subscription (replay, redrive) lands in its key's shard;</li>
 *   <li>{@code herald-attempt}, {@code herald-first-attempt-at}, {@code herald-generation}: set on the copy a
 *       nack re-publishes (see {@link RabbitMqTransport});</li>
 *   <li>{@code herald-dead-id}, {@code herald-error}, {@code herald-dead-at}: set on a dead letter;</li>
 *   <li>{@code herald-marker}: marks a stream position during replay; such a message is no event.</li>
 * </ul>
 */
final class Messages {

    static final String PUBLISHED_AT = "herald-published-at";
    static final String ORDERING_KEY = "herald-ordering-key";
    static final String ATTEMPT = "herald-attempt";
    static final String FIRST_ATTEMPT_AT = "herald-first-attempt-at";
    static final String GENERATION = "herald-generation";
    static final String DEAD_ID = "herald-dead-id";
    static final String ERROR = "herald-error";
    static final String DEAD_AT = "herald-dead-at";
    static final String MARKER = "herald-marker";
    /** Set by the broker on every message read from a stream: its offset. */
    static final String STREAM_OFFSET = "x-stream-offset";

    /** Persistent delivery mode: the broker writes the message to disk before it confirms. */
    private static final int PERSISTENT = 2;
    private static final EventFormat FORMAT = new JsonFormat();

    private Messages() {
    }

    /** The properties of an event's message as first published at {@code publishedAt}. */
    static AMQP.BasicProperties published(EncodedEvent encoded, Instant publishedAt) {
        Map<String, Object> headers = new HashMap<>();
        headers.put(PUBLISHED_AT, publishedAt.toEpochMilli());
        if (encoded.orderingKey() != null) {
            headers.put(ORDERING_KEY, encoded.orderingKey());
        }
        return new AMQP.BasicProperties.Builder()
                .contentType(JsonEvents.STRUCTURED)
                .deliveryMode(PERSISTENT)
                .messageId(encoded.event().getId())
                .timestamp(Date.from(publishedAt))
                .headers(headers)
                .build();
    }

    /** A persistent message that only marks a position in a stream. */
    static AMQP.BasicProperties marker(String token) {
        return new AMQP.BasicProperties.Builder().deliveryMode(PERSISTENT).headers(Map.of(MARKER, token)).build();
    }

    /** The event in a message body. */
    static CloudEvent event(byte[] body) {
        return FORMAT.deserialize(body);
    }

    /** The same properties with {@code changes} merged into the headers (a null value removes a header). */
    static AMQP.BasicProperties withHeaders(AMQP.BasicProperties props, Map<String, Object> changes) {
        Map<String, Object> headers = new HashMap<>(props.getHeaders() == null ? Map.of() : props.getHeaders());
        changes.forEach((key, value) -> {
            if (value == null) {
                headers.remove(key);
            } else {
                headers.put(key, value);
            }
        });
        // Broker bookkeeping of earlier dead-lettering and returns must not follow the copy.
        headers.remove("x-death");
        headers.remove("x-first-death-exchange");
        headers.remove("x-first-death-queue");
        headers.remove("x-first-death-reason");
        headers.remove("x-last-death-exchange");
        headers.remove("x-last-death-queue");
        headers.remove("x-last-death-reason");
        headers.remove("x-delivery-count");
        headers.remove(STREAM_OFFSET);
        return props.builder().headers(headers).expiration(null).build();
    }

    static Instant publishedAt(AMQP.BasicProperties props) {
        return number(props, PUBLISHED_AT).map(Instant::ofEpochMilli)
                .or(() -> Optional.ofNullable(props.getTimestamp()).map(Date::toInstant))
                .orElse(Instant.EPOCH);
    }

    /** The ordering key a message was published with, {@code ""} for an unordered event. */
    static String orderingKey(AMQP.BasicProperties props) {
        return text(props, ORDERING_KEY).orElse("");
    }

    static int attempt(AMQP.BasicProperties props) {
        return number(props, ATTEMPT).map(Math::toIntExact).orElse(1);
    }

    static Optional<Instant> instant(AMQP.BasicProperties props, String header) {
        return number(props, header).map(Instant::ofEpochMilli);
    }

    static Optional<String> text(AMQP.BasicProperties props, String header) {
        Object value = props.getHeaders() == null ? null : props.getHeaders().get(header);
        return Optional.ofNullable(value).map(Object::toString);
    }

    static Optional<Long> number(AMQP.BasicProperties props, String header) {
        Object value = props.getHeaders() == null ? null : props.getHeaders().get(header);
        return value instanceof Number number ? Optional.of(number.longValue()) : Optional.empty();
    }
}
