package dev.herald.transport.postgres;

import dev.herald.settings.Setting;
import dev.herald.settings.Settings;
import dev.herald.settings.SettingsException;
import dev.herald.transport.Transport;
import dev.herald.transport.TransportProvider;
import java.nio.file.Path;
import java.util.List;

/** {@code --transport postgres}: {@link PostgresTransport} on the database {@code postgres.url} names. */
public final class PostgresTransportProvider implements TransportProvider {

    static final Setting<String> URL = Setting.text("postgres.url", "",
            "JDBC URL of the PostgreSQL database, e.g. jdbc:postgresql://db:5432/herald?user=herald (transport=postgres).");
    static final Setting<String> SCHEMA = Setting.text("postgres.schema", "herald",
            "Schema Herald creates and migrates its tables in (transport=postgres).");

    @Override
    public String name() {
        return "postgres";
    }

    @Override
    public String description() {
        return "PostgreSQL with a transactional outbox; needs postgres.url";
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(URL, SCHEMA);
    }

    @Override
    public void check(Settings settings) {
        if (settings.get(URL).isEmpty()) {
            throw new SettingsException("transport=postgres needs " + URL
                    + " (a JDBC URL such as jdbc:postgresql://db:5432/herald?user=herald)");
        }
    }

    @Override
    public Transport open(Settings settings, Path dataDir) {
        check(settings);
        return PostgresTransport.open(settings.get(URL), PostgresOptions.defaults().withSchema(settings.get(SCHEMA)));
    }
}
