package dev.herald.server.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A subscription's counters as its transport reports them.
 *
 * @param backlog     events not yet delivered
 * @param inFlight    events being delivered
 * @param deadLetters events in the dead letters
 * @param droppedByRetention events the store's size limit removed before the subscription consumed them
 *                    (it lagged while the store was full); they will never be delivered
 * @param streams     streams connected (PULL)
 * @param unacked     events streamed and not yet acked (PULL)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record StatsBody(long backlog, long inFlight, long deadLetters, long droppedByRetention,
                        @JsonInclude(JsonInclude.Include.NON_NULL) Integer streams,
                        @JsonInclude(JsonInclude.Include.NON_NULL) Integer unacked) {
}
