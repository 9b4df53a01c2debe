package dev.herald.transport.nsq;

import dev.herald.settings.Setting;
import dev.herald.settings.Settings;
import dev.herald.settings.SettingsException;
import dev.herald.transport.Transport;
import dev.herald.transport.TransportProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code --transport nsq}: {@link NsqTransport} on the nsqd at {@code nsq.nsqd} (TCP) and {@code nsq.nsqd-http}
 * (HTTP), optionally finding more nsqd nodes through {@code nsq.lookupd}; subscription definitions and dead letters
 * in the server's data directory.
 */
public final class NsqTransportProvider implements TransportProvider {

    static final Setting<String> NSQD = Setting.text("nsq.nsqd", "127.0.0.1:4150",
            "nsqd's TCP address, host:port: events are published to it and consumed from it (transport=nsq).");
    static final Setting<String> NSQD_HTTP = Setting.text("nsq.nsqd-http", "127.0.0.1:4151",
            "The same nsqd's HTTP address, host:port, for creating channels and reading their depth (transport=nsq).");
    static final Setting<List<String>> LOOKUPD = Setting.list("nsq.lookupd", "",
            "nsqlookupd HTTP addresses, host:port[,host:port]: consumers also read every nsqd they name for the "
                    + "topic (transport=nsq).");
    static final Setting<Integer> MAX_IN_FLIGHT = Setting.integer("nsq.max-in-flight", "100",
            "RDY count of each consumer: messages nsqd sends before earlier ones are settled (transport=nsq).")
            .require(n -> n >= 1 && n <= 2_500, "must be 1 to 2500");
    static final Setting<Boolean> DURABLE = Setting.bool("nsq.durable", "false",
            "Set true only when every nsqd runs with --mem-queue-size=0 (its OK to a publish then means on disk): "
                    + "the transport then declares itself durable (transport=nsq).");
    static final Setting<Duration> MESSAGE_TIMEOUT = Setting.duration("nsq.message-timeout", "60s",
            "nsqd redelivers a message not settled for this long; held deliveries are TOUCHed before (transport=nsq).");

    @Override
    public String name() {
        return "nsq";
    }

    @Override
    public String description() {
        return "NSQ (nsqd, optional nsqlookupd); run nsqd with --mem-queue-size=0 for durable publishes";
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(NSQD, NSQD_HTTP, LOOKUPD, MAX_IN_FLIGHT, MESSAGE_TIMEOUT, DURABLE);
    }

    @Override
    public void check(Settings settings) {
        options(settings, Path.of("."));
    }

    @Override
    public Transport open(Settings settings, Path dataDir) {
        return NsqTransport.open(options(settings, dataDir));
    }

    private static NsqOptions options(Settings settings, Path dataDir) {
        try {
            return NsqOptions.of(settings.get(NSQD), settings.get(NSQD_HTTP), dataDir)
                    .withLookupd(settings.get(LOOKUPD))
                    .withMaxInFlight(settings.get(MAX_IN_FLIGHT))
                    .withMessageTimeout(settings.get(MESSAGE_TIMEOUT))
                    .withDurableNsqd(settings.get(DURABLE));
        } catch (IllegalArgumentException e) {
            throw new SettingsException("the NSQ settings cannot be used (" + NSQD + " " + settings.text(NSQD) + ", "
                    + NSQD_HTTP + " " + settings.text(NSQD_HTTP) + ", " + LOOKUPD + " " + settings.text(LOOKUPD) + ", "
                    + MESSAGE_TIMEOUT + " " + settings.text(MESSAGE_TIMEOUT) + "): " + e.getMessage());
        }
    }
}
