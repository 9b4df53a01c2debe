package dev.herald.cli;

import dev.herald.server.config.ServerConfig;
import dev.herald.transport.Transport;
import dev.herald.transport.kafka.KafkaOptions;
import dev.herald.transport.kafka.KafkaTransport;
import dev.herald.transport.postgres.PostgresOptions;
import dev.herald.transport.postgres.PostgresTransport;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;

/**
 * Opens the transport {@code herald serve} runs on, as the configuration's {@code transport} names it.
 * The CLI assembles the distribution, so it is the one place that knows every transport: the server
 * depends on the core and on the embedded default only.
 */
final class ServeTransports {

    private ServeTransports() {
    }

    /** How to open the configured transport; empty for the server's embedded default. */
    static Optional<Function<Path, Transport>> opener(ServerConfig config) {
        return switch (config.get(ServerConfig.TRANSPORT)) {
            case "postgres" -> Optional.of(storeFile -> PostgresTransport.open(config.get(ServerConfig.POSTGRES_URL),
                    PostgresOptions.defaults().withSchema(config.get(ServerConfig.POSTGRES_SCHEMA))));
            case "kafka" -> Optional.of(storeFile -> KafkaTransport.open(KafkaOptions.fromProperties(kafka(config))));
            default -> Optional.empty();
        };
    }

    /** The Kafka properties: the file's, with {@code bootstrap.servers} from the configuration. */
    private static Map<String, String> kafka(ServerConfig config) {
        Map<String, String> properties = new HashMap<>();
        config.get(ServerConfig.KAFKA_PROPERTIES).ifPresent(file -> {
            Properties loaded = new Properties();
            try (Reader reader = Files.newBufferedReader(file)) {
                loaded.load(reader);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read kafka.properties " + file, e);
            }
            loaded.stringPropertyNames().forEach(key -> properties.put(key, loaded.getProperty(key)));
        });
        properties.put("bootstrap.servers", config.get(ServerConfig.KAFKA_BOOTSTRAP_SERVERS));
        return properties;
    }
}
