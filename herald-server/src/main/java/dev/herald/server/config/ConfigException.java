package dev.herald.server.config;

import dev.herald.settings.SettingsException;

/**
 * A server configuration that cannot be used beyond what one setting's parser can tell: settings that only
 * work together (TLS needs a certificate and a key), a certificate file that does not hold one. Errors of
 * single settings are {@link SettingsException}s, which this extends.
 */
public class ConfigException extends SettingsException {

    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
