package dev.herald.transport.kafka;

import dev.herald.settings.Setting;
import dev.herald.settings.Settings;
import dev.herald.settings.SettingsException;
import dev.herald.transport.Transport;
import dev.herald.transport.TransportProvider;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code --transport kafka}: {@link KafkaTransport} on {@code kafka.bootstrap-servers}, with any client
 * settings from the properties file {@code kafka.properties} (read as {@link KafkaOptions#fromProperties}).
 */
public final class KafkaTransportProvider implements TransportProvider {

    static final Setting<String> BOOTSTRAP_SERVERS = Setting.text("kafka.bootstrap-servers", "",
            "Kafka bootstrap servers, host:port[,host:port] (transport=kafka).");
    static final Setting<Optional<Path>> PROPERTIES = Setting.optionalPath("kafka.properties",
            "A Java properties file of Kafka client settings passed through as they are (SASL, TLS; producer./"
                    + "consumer./admin. prefixes for one client; herald.* for Herald's own, e.g. herald.partitions) "
                    + "(transport=kafka).");

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public String description() {
        return "Apache Kafka; needs kafka.bootstrap-servers";
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(BOOTSTRAP_SERVERS, PROPERTIES);
    }

    @Override
    public void check(Settings settings) {
        if (settings.get(BOOTSTRAP_SERVERS).isEmpty()) {
            throw new SettingsException("transport=kafka needs " + BOOTSTRAP_SERVERS + " (host:port[,host:port])");
        }
    }

    @Override
    public Transport open(Settings settings, Path dataDir) {
        check(settings);
        Map<String, String> properties = new HashMap<>();
        settings.get(PROPERTIES).ifPresent(file -> {
            Properties loaded = new Properties();
            try (Reader reader = Files.newBufferedReader(file)) {
                loaded.load(reader);
            } catch (IOException e) {
                throw new SettingsException("cannot read " + PROPERTIES + " " + file + " ("
                        + settings.origin(PROPERTIES) + "): " + e.getMessage(), e);
            }
            loaded.stringPropertyNames().forEach(key -> properties.put(key, loaded.getProperty(key)));
        });
        properties.put("bootstrap.servers", settings.get(BOOTSTRAP_SERVERS));
        try {
            return KafkaTransport.open(KafkaOptions.fromProperties(properties));
        } catch (IllegalArgumentException e) {
            throw new SettingsException("the Kafka settings cannot be used: " + e.getMessage(), e);
        }
    }
}
