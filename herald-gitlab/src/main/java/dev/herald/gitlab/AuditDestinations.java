package dev.herald.gitlab;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * Audit event streaming destinations with GitLab's semantics, on Herald's HTTP subscriptions.
 *
 * <p>A destination is a subscription to {@value #TYPE} whose webhook carries a verification token,
 * generated when the destination is created, in {@value #TOKEN_HEADER} — the header a GitLab audit
 * streaming receiver checks. The token is stored as a subscription header, which the API shows only as
 * {@code <redacted>}; it never changes (to rotate it, create a new destination and delete the old one).
 * Unlike GitLab, a failing destination's events are retried with backoff, then dead-lettered, and can
 * be redriven.
 *
 * <p>Filters: by namespace, including descendants ({@code gitlab-org} receives {@code gitlab-org} and
 * {@code gitlab-org/security/scanner}, not {@code gitlab-org-sandbox}), through the {@code namespace}
 * attribute every audit event carries; and optionally by audit event types, through
 * {@code auditeventtype}.
 */
public final class AuditDestinations {

    /** The audit event type. */
    public static final String TYPE = "com.gitlab.audit_event";
    /** The header that carries a destination's verification token. */
    public static final String TOKEN_HEADER = "X-Gitlab-Event-Streaming-Token";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private AuditDestinations() {
    }

    /** A new verification token: 24 random bytes, URL-safe Base64 (32 characters). */
    public static String newVerificationToken() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * The subscription definition ({@code POST /v1/subscriptions} body) of a destination.
     *
     * @param id         the destination's (subscription's) id; null to have one generated
     * @param url        where GitLab-style audit requests go
     * @param namespace  the group or project full path whose events (and descendants') it receives;
     *                   null for every namespace
     * @param eventTypes the audit event types it receives; empty for all
     * @param token      its verification token ({@link #newVerificationToken()})
     */
    public static ObjectNode definition(String id, String url, String namespace, List<String> eventTypes,
                                        String token) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(token, "token");
        ObjectNode definition = JSON.createObjectNode();
        if (id != null) {
            definition.put("id", id);
        }
        definition.putArray("types").add(TYPE);
        ArrayNode filters = definition.putArray("filters");
        if (namespace != null) {
            filters.add(namespaceFilter(namespace));
        }
        if (!eventTypes.isEmpty()) {
            ArrayNode any = filters.addObject().putArray("any");
            eventTypes.forEach(t -> any.addObject().putObject("exact").put(GitLabAttributes.AUDIT_EVENT_TYPE, t));
        }
        definition.put("sink", url);
        definition.putObject("protocolsettings").putObject("headers").put(TOKEN_HEADER, token);
        return definition;
    }

    /** The namespace itself or any path under it (a {@code /} follows the prefix, so siblings do not match). */
    static ObjectNode namespaceFilter(String namespace) {
        String path = namespace.endsWith("/") ? namespace.substring(0, namespace.length() - 1) : namespace;
        ObjectNode filter = JSON.createObjectNode();
        ArrayNode any = filter.putArray("any");
        any.addObject().putObject("exact").put(GitLabAttributes.NAMESPACE, path);
        any.addObject().putObject("prefix").put(GitLabAttributes.NAMESPACE, path + "/");
        return filter;
    }
}
