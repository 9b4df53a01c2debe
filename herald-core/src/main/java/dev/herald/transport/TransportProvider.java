package dev.herald.transport;

import dev.herald.settings.Setting;
import dev.herald.settings.Settings;
import dev.herald.settings.SettingsException;
import java.nio.file.Path;
import java.util.List;

/**
 * How {@code herald serve} finds and opens a transport: each transport module ships one implementation,
 * registered for {@link java.util.ServiceLoader} in
 * {@code META-INF/services/dev.herald.transport.TransportProvider}. Adding a transport to the distribution is
 * then a dependency in the distribution's POM and nothing else: {@code --transport NAME} selects it, its
 * settings are accepted as flags, {@code HERALD_*} variables and file keys, validated at start and listed by
 * {@code --print-config} (see {@link TransportProviders}).
 *
 * <p>Implementations are public, have a public no-argument constructor and are stateless.
 */
public interface TransportProvider {

    /**
     * The name {@code --transport} selects: lowercase letters and digits, e.g. {@code postgres}; the
     * settings it declares are named {@code <name>.<setting>} by convention.
     */
    String name();

    /** One line for {@code herald serve --help}: what stores the events and what it needs. */
    String description();

    /** The settings it reads, each with its parser, default and doc; names unique among all transports. */
    List<Setting<?>> settings();

    /**
     * Checks the settings this transport needs beyond each one's own rules (for example a URL that has no
     * default), so that {@code herald serve} refuses a bad configuration before it opens anything.
     *
     * @param settings resolved settings, holding at least {@link #settings()}
     * @throws SettingsException naming the setting, its value and origin, and the rule
     */
    default void check(Settings settings) {
    }

    /**
     * Opens the transport, creating or migrating what it stores on first use.
     *
     * @param settings resolved settings, holding at least {@link #settings()}
     * @param dataDir  the server's data directory, for transports that keep files of their own
     * @throws SettingsException for settings {@link #check} lets through but the transport cannot use
     * @throws TransportException when the broker or store cannot be reached
     */
    Transport open(Settings settings, Path dataDir);
}
