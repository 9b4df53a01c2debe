package dev.herald.server.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A subscription's {@code delivery} policy. Durations use Herald's one grammar ({@code 500ms},
 * {@code 30s}, {@code 1h}, ISO-8601).
 *
 * @param maxAttempts attempts before the dead letters
 * @param backoff     the retry delays
 * @param ordered     one event at a time per partition key, in order
 * @param concurrency webhook requests in flight at once (HTTP)
 * @param delay       no event delivered earlier than this after it was published
 * @param startAt     {@code latest}, {@code earliest} or an RFC 3339 timestamp
 * @param ackDeadline time to ack a streamed event before it is delivered again (PULL)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record DeliveryBody(Integer maxAttempts, BackoffBody backoff, Boolean ordered, Integer concurrency,
                           String delay, String startAt, String ackDeadline) {

    /**
     * The retry delays: exponential with jitter from {@code min} to {@code max}.
     *
     * @param min the first retry's base delay
     * @param max the longest delay
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record BackoffBody(String min, String max) {
    }
}
