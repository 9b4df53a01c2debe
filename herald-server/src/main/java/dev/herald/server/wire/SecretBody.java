package dev.herald.server.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The optional body of {@code POST /v1/subscriptions/{id}/rotate-secret}.
 *
 * @param secret the new signing secret ({@code whsec_<base64>}), or null to have one generated
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SecretBody(String secret) {
}
