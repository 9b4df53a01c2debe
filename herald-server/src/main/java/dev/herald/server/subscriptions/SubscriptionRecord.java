package dev.herald.server.subscriptions;

import dev.herald.server.webhook.WebhookSecret;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A subscription resource as stored: its definition, who made it, its status, its signing secrets
 * and its delivery health. Immutable; changes produce a copy.
 *
 * @param definition              what it asks for
 * @param project                 the project of the token that created it, if restricted (events of
 *                                other projects never reach it)
 * @param createdBy               the id of the token that created it
 * @param createdAt               when it was created
 * @param updatedAt               when its definition last changed
 * @param status                  active, paused or disabled
 * @param statusReason            why it is paused or disabled, if it is
 * @param statusChangedAt         when the status last changed
 * @param secret                  the current signing secret (HTTP), null for PULL
 * @param previousSecret          the secret before the last rotation, still signing until
 *                                {@code previousSecretExpiresAt}
 * @param previousSecretExpiresAt end of the rotation grace period
 * @param health                  consecutive failures and the last error
 */
record SubscriptionRecord(SubscriptionDefinition definition, String project, String createdBy, Instant createdAt,
                          Instant updatedAt, Status status, String statusReason, Instant statusChangedAt,
                          WebhookSecret secret, WebhookSecret previousSecret, Instant previousSecretExpiresAt,
                          Health health) {

    /**
     * Webhook delivery health.
     *
     * @param consecutiveFailures failed attempts since the last success
     * @param failingSince        the first failure since the last success
     * @param lastError           the last failure's description
     * @param lastFailureAt       when the last attempt failed
     * @param lastSuccessAt       when an attempt last succeeded
     */
    record Health(int consecutiveFailures, Instant failingSince, String lastError, Instant lastFailureAt,
                  Instant lastSuccessAt) {

        static final Health NEW = new Health(0, null, null, null, null);

        Health succeeded(Instant at) {
            return new Health(0, null, lastError, lastFailureAt, at);
        }

        Health failed(Instant at, String error) {
            return new Health(consecutiveFailures + 1, failingSince == null ? at : failingSince, error, at,
                    lastSuccessAt);
        }

        Health reset() {
            return new Health(0, null, lastError, lastFailureAt, lastSuccessAt);
        }
    }

    String id() {
        return definition.id();
    }

    Optional<String> projectRestriction() {
        return Optional.ofNullable(project);
    }

    /** The secrets that sign now: the current one, and the previous one while its grace period lasts. */
    List<WebhookSecret> signingSecrets(Instant now) {
        List<WebhookSecret> secrets = new ArrayList<>(2);
        if (secret != null) {
            secrets.add(secret);
        }
        if (previousSecret != null && previousSecretExpiresAt != null && now.isBefore(previousSecretExpiresAt)) {
            secrets.add(previousSecret);
        }
        return secrets;
    }

    SubscriptionRecord withDefinition(SubscriptionDefinition newDefinition, Instant at) {
        return new SubscriptionRecord(newDefinition, project, createdBy, createdAt, at, status, statusReason,
                statusChangedAt, secret, previousSecret, previousSecretExpiresAt, health);
    }

    SubscriptionRecord withStatus(Status newStatus, String reason, Instant at) {
        return new SubscriptionRecord(definition, project, createdBy, createdAt, updatedAt, newStatus, reason, at,
                secret, previousSecret, previousSecretExpiresAt, newStatus == Status.ACTIVE
                        && status == Status.DISABLED ? health.reset() : health);
    }

    SubscriptionRecord withRotatedSecret(WebhookSecret newSecret, Instant previousExpiresAt) {
        return new SubscriptionRecord(definition, project, createdBy, createdAt, updatedAt, status, statusReason,
                statusChangedAt, newSecret, secret, previousExpiresAt, health);
    }

    SubscriptionRecord withHealth(Health newHealth) {
        return new SubscriptionRecord(definition, project, createdBy, createdAt, updatedAt, status, statusReason,
                statusChangedAt, secret, previousSecret, previousSecretExpiresAt, newHealth);
    }
}
