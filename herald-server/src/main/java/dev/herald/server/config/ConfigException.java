package dev.herald.server.config;

/**
 * A configuration that cannot be used: an unknown setting, a value that does not parse, a file that
 * cannot be read. The message names the setting and where its value came from (file, environment
 * variable or flag), so it can be fixed without searching.
 */
public class ConfigException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
