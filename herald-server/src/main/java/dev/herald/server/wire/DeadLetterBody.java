package dev.herald.server.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * An event that exhausted its attempts, as {@code /v1/subscriptions/{id}/dead-letters} shows it.
 *
 * @param id             the dead letter's id (not the event's)
 * @param eventId        the event's id
 * @param type           the event's type
 * @param source         the event's source
 * @param subject        the event's subject, if any
 * @param attempts       attempts made
 * @param lastError      the last attempt's failure
 * @param firstAttemptAt when the first attempt was made
 * @param deadAt         when it was dead-lettered
 * @param event          the whole event (structured JSON), when asked for with {@code include=event}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DeadLetterBody(String id, String eventId, String type, String source,
                             @JsonInclude(JsonInclude.Include.NON_NULL) String subject, int attempts, String lastError,
                             String firstAttemptAt, String deadAt,
                             @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode event) {
}
