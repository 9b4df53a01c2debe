package dev.herald.server.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The body of {@code POST /v1/subscriptions/{id}/seek}.
 *
 * @param to {@code earliest}, {@code latest} or an RFC 3339 timestamp
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SeekBody(String to) {
}
