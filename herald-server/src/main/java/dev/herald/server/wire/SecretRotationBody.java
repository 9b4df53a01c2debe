package dev.herald.server.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Shown while a rotated-out signing secret still signs deliveries beside the new one.
 *
 * @param previousSecretValidUntil when the previous secret stops signing
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SecretRotationBody(String previousSecretValidUntil) {
}
