package dev.herald.server.subscriptions;

import dev.herald.server.webhook.ContentMode;
import dev.herald.server.wire.ProtocolSettingsBody;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A webhook's {@code protocolsettings}: the HTTP method, extra headers, and the CloudEvents content mode.
 *
 * @param method  POST (default) or PUT
 * @param headers sent with every request, e.g. {@code X-Gitlab-Event-Streaming-Token}
 * @param mode    binary (default: {@code ce-*} headers, body = data) or structured
 */
public record HttpSettings(String method, Map<String, String> headers, ContentMode mode) {

    /** Shown instead of the value of a header whose name suggests a credential. */
    static final String REDACTED = "<redacted>";

    /** POST, no headers, binary mode. */
    static final HttpSettings DEFAULT = new HttpSettings("POST", Map.of(), ContentMode.BINARY);

    public HttpSettings {
        headers = java.util.Collections.unmodifiableMap(new TreeMap<>(headers));
    }

    /** Whether a header probably carries a credential, so that its value is not shown by the API. */
    static boolean sensitive(String headerName) {
        String name = headerName.toLowerCase(Locale.ROOT);
        return name.equals("authorization") || name.equals("proxy-authorization") || name.equals("cookie")
                || name.contains("token") || name.contains("secret") || name.contains("key")
                || name.contains("password") || name.contains("auth") || name.contains("signature");
    }

    /** The stored form: every value. */
    ProtocolSettingsBody toStoredBody() {
        return toBody(false);
    }

    /** The API form: credential-like header values redacted. */
    ProtocolSettingsBody toPublicBody() {
        return toBody(true);
    }

    /** The form shown to a token that does not own the subscription: every header value redacted. */
    ProtocolSettingsBody toRedactedBody() {
        Map<String, String> shown = new LinkedHashMap<>();
        headers.keySet().forEach(name -> shown.put(name, REDACTED));
        return new ProtocolSettingsBody(method, shown, mode.jsonName());
    }

    private ProtocolSettingsBody toBody(boolean redact) {
        Map<String, String> shown = new LinkedHashMap<>();
        headers.forEach((name, value) -> shown.put(name, redact && sensitive(name) ? REDACTED : value));
        return new ProtocolSettingsBody(method, shown, mode.jsonName());
    }
}
