package dev.herald.server.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A webhook subscription's health; every field is shown, {@code null} when it never happened.
 *
 * @param consecutiveFailures failed deliveries since the last success
 * @param failingSince        the first of those failures
 * @param lastError           the last failure's reason
 * @param lastFailureAt       when the sink last failed
 * @param lastSuccessAt       when the sink last took an event
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record HealthBody(int consecutiveFailures, String failingSince, String lastError, String lastFailureAt,
                         String lastSuccessAt) {
}
