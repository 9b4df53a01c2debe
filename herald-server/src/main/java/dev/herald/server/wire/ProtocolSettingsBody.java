package dev.herald.server.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * A webhook subscription's {@code protocolsettings}.
 *
 * @param method      {@code POST} (default) or {@code PUT}
 * @param headers     sent with every request; credential-like values are shown as {@code <redacted>}
 * @param contentmode {@code binary} (default) or {@code structured}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ProtocolSettingsBody(String method, Map<String, String> headers, String contentmode) {
}
