package dev.herald.transport.embedded;

import dev.herald.settings.Setting;
import dev.herald.settings.Settings;
import dev.herald.transport.Transport;
import dev.herald.transport.TransportProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** {@code --transport embedded}, the default: the SQLite log in {@code <data>/events.db}. */
public final class EmbeddedTransportProvider implements TransportProvider {

    static final Setting<Duration> RETENTION_MAX_AGE = Setting.duration("store.retention-max-age", "7d",
            "Events older than this are deleted from the embedded store, unless a subscription has not consumed "
                    + "them yet.").require(Duration::isPositive, "must be positive");
    static final Setting<Long> RETENTION_MAX_BYTES = Setting.size("store.retention-max-bytes", "0",
            "When the embedded store is larger, its oldest events are deleted: first those no subscription needs, "
                    + "then, as a hard limit, those a lagging subscription has not consumed (counted in its "
                    + "droppedByRetention); 0 = no size limit.");

    @Override
    public String name() {
        return "embedded";
    }

    @Override
    public String description() {
        return "SQLite in <data>/events.db, for one instance; needs nothing else";
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(RETENTION_MAX_AGE, RETENTION_MAX_BYTES);
    }

    @Override
    public Transport open(Settings settings, Path dataDir) {
        long maxBytes = settings.get(RETENTION_MAX_BYTES);
        return EmbeddedTransport.open(dataDir.resolve("events.db"), EmbeddedOptions.defaults()
                .withRetentionMaxAge(settings.get(RETENTION_MAX_AGE))
                .withRetentionMaxBytes(maxBytes == 0 ? Long.MAX_VALUE : maxBytes));
    }
}
