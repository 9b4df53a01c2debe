package dev.herald.settings;

/**
 * Settings that cannot be used: an unknown setting, a value that does not parse or breaks its rule, a file
 * that cannot be read. The message names each setting and where its value came from (file, environment
 * variable or flag), so it can be fixed without searching.
 */
public class SettingsException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public SettingsException(String message) {
        super(message);
    }

    public SettingsException(String message, Throwable cause) {
        super(message, cause);
    }
}
