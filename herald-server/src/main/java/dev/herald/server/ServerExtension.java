package dev.herald.server;

import dev.herald.event.EnvelopeMapping;
import dev.herald.server.http.ApiModule;
import dev.herald.settings.Setting;
import java.util.List;

/**
 * A feature packaged outside the server that plugs into it, such as herald-gitlab's webhook bridge and
 * GitLab CloudEvents mapping: the server knows nothing of it beyond this interface.
 *
 * <p>The server finds extensions on its class path through {@link java.util.ServiceLoader} (a module
 * lists its implementation in {@code META-INF/services/dev.herald.server.ServerExtension}), so putting
 * the module's jar in the distribution turns it on; {@link HeraldServer.Builder#extension} adds one
 * explicitly. Each contributes settings, intake mappings and API modules; all are optional.
 */
public interface ServerExtension {

    /** A short name for logs and the {@code events.envelope-mappings} setting, e.g. {@code gitlab}. */
    String name();

    /**
     * The extension's own settings (named after it, e.g. {@code archive.dir}), resolved, validated and
     * printed with the server's (see {@link dev.herald.server.config.ServerConfig}). Only extensions found
     * on the class path declare settings: one added with {@link HeraldServer.Builder#extension} reads those
     * already declared.
     */
    default List<Setting<?>> settings() {
        return List.of();
    }

    /**
     * Compatibility mappings applied to every event {@code POST /v1/events} reads, before it is parsed
     * (unless {@code events.envelope-mappings} leaves this extension out).
     */
    default List<EnvelopeMapping> envelopeMappings() {
        return List.of();
    }

    /**
     * The extension's API modules, built once when the server starts. A module that implements
     * {@link AutoCloseable} is closed on shutdown like the server's own.
     */
    default List<ApiModule> modules(ServerContext context) {
        return List.of();
    }
}
