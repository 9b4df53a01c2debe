package dev.herald.transport;

import dev.herald.settings.Setting;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The {@link TransportProvider}s on the class path, by name. */
public final class TransportProviders {

    private final Map<String, TransportProvider> byName;

    private TransportProviders(Map<String, TransportProvider> byName) {
        this.byName = byName;
    }

    /**
     * Every provider that {@link ServiceLoader} finds with this class's class loader.
     *
     * @throws IllegalStateException when two providers share a name or a setting name
     */
    public static TransportProviders installed() {
        return of(ServiceLoader.load(TransportProvider.class, TransportProvider.class.getClassLoader()).stream()
                .map(ServiceLoader.Provider::get).toList());
    }

    /**
     * These providers.
     *
     * @throws IllegalStateException when two providers share a name or a setting name
     */
    public static TransportProviders of(Collection<? extends TransportProvider> providers) {
        Map<String, TransportProvider> byName = new TreeMap<>();
        Map<String, String> settingOwners = new TreeMap<>();
        for (TransportProvider provider : providers) {
            if (!provider.name().matches("[a-z][a-z0-9]*")) {
                throw new IllegalStateException("transport name must be lowercase letters and digits: "
                        + provider.name());
            }
            TransportProvider previous = byName.putIfAbsent(provider.name(), provider);
            if (previous != null) {
                throw new IllegalStateException("two transports are named " + provider.name() + ": "
                        + previous.getClass().getName() + " and " + provider.getClass().getName());
            }
            for (Setting<?> setting : provider.settings()) {
                String owner = settingOwners.putIfAbsent(setting.name(), provider.name());
                if (owner != null) {
                    throw new IllegalStateException("setting " + setting.name() + " is declared by transports "
                            + owner + " and " + provider.name());
                }
            }
        }
        return new TransportProviders(byName);
    }

    /**
     * The provider of that name.
     *
     * @throws IllegalArgumentException naming the installed transports when there is none
     */
    public TransportProvider named(String name) {
        TransportProvider provider = byName.get(name);
        if (provider == null) {
            throw new IllegalArgumentException("must be one of " + String.join(", ", byName.keySet())
                    + " (the transports installed)");
        }
        return provider;
    }

    /** Every provider, by name. */
    public Collection<TransportProvider> all() {
        return byName.values();
    }

    /** Every provider's settings, providers in name order. */
    public List<Setting<?>> settings() {
        return byName.values().stream().flatMap(p -> p.settings().stream()).toList();
    }
}
