package dev.herald.server.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * A subscription as {@code /v1/subscriptions} shows it, and as a client sends it (then only the
 * request fields, {@code id} to {@code ephemeral}, are set; the server ignores the others on input so
 * that a GET body can be PUT back).
 *
 * @param id               unique; generated when not given
 * @param source           only events with exactly this source
 * @param types            only events of these types ({@code ci.*} for a prefix); empty for all
 * @param config           implementation-specific settings ({@code topic})
 * @param filters          CloudEvents Subscriptions API filter dialects, all of which must match
 * @param sink             the webhook URL (HTTP)
 * @param protocol         {@code HTTP} or {@code PULL}
 * @param protocolsettings a webhook's method, headers and content mode
 * @param delivery         the delivery policy
 * @param ephemeral        removed once no stream has read it for a while (PULL)
 * @param project          the project a project-restricted creator limited it to
 * @param status           {@code active}, {@code paused} or {@code disabled}
 * @param statusReason     why it is paused or disabled
 * @param statusChangedAt  when the status last changed
 * @param stats            backlog, in flight, dead letters (and streams for PULL)
 * @param stream           the streaming-pull URL (PULL)
 * @param health           the webhook's recent failures and successes (HTTP)
 * @param secretRotation   while a rotated-out secret still signs (HTTP)
 * @param createdAt        when it was created
 * @param updatedAt        when its definition last changed
 * @param createdBy        the id of the token that created it
 * @param secret           the signing secret: given on create, shown only on create and rotation
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record SubscriptionBody(String id, String source, List<String> types, Map<String, String> config,
                               JsonNode filters, String sink, String protocol,
                               ProtocolSettingsBody protocolsettings,
                               DeliveryBody delivery, Boolean ephemeral, String project, String status,
                               String statusReason, String statusChangedAt, StatsBody stats, String stream,
                               HealthBody health, SecretRotationBody secretRotation, String createdAt,
                               String updatedAt, String createdBy, String secret) {

    /**
     * A request body: only what a client asks for.
     *
     * @param id               the id, or null to have one generated
     * @param source           the exact source, or null
     * @param types            the types, or null
     * @param config           implementation-specific settings ({@code topic}), or null
     * @param filters          the filters, or null
     * @param sink             the webhook URL, or null for PULL
     * @param protocol         {@code HTTP}, {@code PULL}, or null (HTTP)
     * @param protocolsettings the webhook's settings, or null
     * @param delivery         the delivery policy, or null for the defaults
     * @param ephemeral        true for a subscription removed once unread, or null
     * @param secret           the signing secret, or null to have one generated
     */
    public static SubscriptionBody request(String id, String source, List<String> types,
                                           Map<String, String> config, JsonNode filters, String sink,
                                           String protocol, ProtocolSettingsBody protocolsettings,
                                           DeliveryBody delivery, Boolean ephemeral, String secret) {
        return new SubscriptionBody(id, source, types, config, filters, sink, protocol, protocolsettings, delivery,
                ephemeral, null, null, null, null, null, null, null, null, null, null, null, secret);
    }

    /**
     * This request body with the subscription's state, as the server shows it.
     *
     * @return a copy with every state component replaced
     */
    public SubscriptionBody withState(String project, String status, String statusReason,
                                      String statusChangedAt, StatsBody stats, String stream, HealthBody health,
                                      SecretRotationBody secretRotation, String createdAt, String updatedAt,
                                      String createdBy, String secret) {
        return new SubscriptionBody(id, source, types, config, filters, sink, protocol, protocolsettings, delivery,
                ephemeral, project, status, statusReason, statusChangedAt, stats, stream, health, secretRotation,
                createdAt, updatedAt, createdBy, secret);
    }
}
