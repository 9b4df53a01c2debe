package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.event.EventBuilder;
import dev.herald.event.JsonEvents;
import dev.herald.server.HeraldServer;
import dev.herald.server.config.ServerConfig;
import dev.herald.settings.SettingsException;
import dev.herald.store.SubscribeOptions;
import dev.herald.transport.StartPosition;
import dev.herald.transport.TransportProvider;
import dev.herald.transport.TransportProviders;
import dev.herald.transport.kafka.KafkaTestBroker;
import io.cloudevents.CloudEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code herald serve --transport postgres|kafka}: the transports the distribution ships are found through
 * their {@code TransportProvider}s, and events posted over HTTP land on the chosen broker.
 */
class ServeTransportsTest {

    private static final String ADMIN = "hrld-serve-transports-test-admin-token-0123456789";
    private static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

    @TempDir
    Path data;

    private HeraldServer start(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        all.put(ServerConfig.PORT.name(), "0");
        all.put(ServerConfig.DATA.name(), data.toString());
        ServerConfig config = ServerConfig.fromMap(all).withInitialAdminToken(ADMIN);
        return HeraldServer.builder(config).firstStartOutput(new PrintStream(new ByteArrayOutputStream())).start();
    }

    /** Posts an event over HTTP and waits until a subscription on the server's store receives it. */
    private static void postedEventIsDelivered(HeraldServer server) throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        server.store().subscribe("serve-transports-check", event -> received.add(event.getId()),
                SubscribeOptions.defaults().startAt(StartPosition.EARLIEST));
        CloudEvent event = EventBuilder.create(server.store().schemas()).type("ci.pipeline.created")
                .source("https://gitlab.example.com/acme/shop").project("gid://gitlab/Project/1")
                .data(Map.of("pipeline_id", 42)).build();

        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/v1/events"))
                .header("Authorization", "Bearer " + ADMIN)
                .header("Content-Type", JsonEvents.STRUCTURED)
                .POST(HttpRequest.BodyPublishers.ofByteArray(JsonEvents.write(event))).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> received.contains(event.getId()));
    }

    @Test
    void servesOnPostgres() throws Exception {
        String schema = "herald_serve_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        try (HeraldServer server = start(Map.of(ServerConfig.TRANSPORT.name(), "postgres",
                "postgres.url", POSTGRES, "postgres.schema", schema))) {
            assertThat(server.store().transport().name()).isEqualTo("postgres");
            postedEventIsDelivered(server);
        } finally {
            try (Connection connection = DriverManager.getConnection(POSTGRES);
                 Statement statement = connection.createStatement()) {
                statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                statement.execute("DROP SCHEMA IF EXISTS " + schema + "_state CASCADE");
            }
        }
    }

    @Test
    void servesOnKafka() throws Exception {
        try (KafkaTestBroker broker = KafkaTestBroker.start();
             HeraldServer server = start(Map.of(ServerConfig.TRANSPORT.name(), "kafka",
                     "kafka.bootstrap-servers", broker.bootstrapServers()))) {
            assertThat(server.store().transport().name()).isEqualTo("kafka");
            postedEventIsDelivered(server);
        }
    }

    @Test
    void aTransportWithoutItsConnectionSettingIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> ServerConfig.fromMap(Map.of(ServerConfig.TRANSPORT.name(), "postgres")))
                .isInstanceOf(SettingsException.class).hasMessageContaining("transport=postgres needs postgres.url");
        assertThatThrownBy(() -> ServerConfig.fromMap(Map.of(ServerConfig.TRANSPORT.name(), "kafka")))
                .isInstanceOf(SettingsException.class).hasMessageContaining("transport=kafka needs kafka.bootstrap-servers");
        assertThatThrownBy(() -> ServerConfig.fromMap(Map.of(ServerConfig.TRANSPORT.name(), "pubsub")))
                .isInstanceOf(SettingsException.class).hasMessageContaining("transport=pubsub needs pubsub.project");
        assertThatThrownBy(() -> ServerConfig.fromMap(Map.of(ServerConfig.TRANSPORT.name(), "rabbit")))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("setting transport = 'rabbit' (setting transport) must be one of " + installed()
                        + " (the transports installed)");
    }

    /** The installed transports' names as the error lists them: every transport the distribution carries. */
    private static String installed() {
        List<String> names = TransportProviders.installed().all().stream().map(TransportProvider::name).sorted().toList();
        assertThat(names).contains("embedded", "kafka", "nsq", "postgres", "pubsub", "rabbitmq");
        return String.join(", ", names);
    }

    @Test
    void printConfigListsEveryInstalledTransportsSettingsAfterTheServers() {
        assertThat(ServerConfig.fromMap(Map.of("transport", "kafka", "kafka.bootstrap-servers", "k:9092")).describe())
                .extracting(d -> d.setting().name() + "=" + d.text() + " (" + d.origin() + ")")
                .contains("transport=kafka (setting transport)", "store.retention-max-age=7d (default)",
                        "kafka.bootstrap-servers=k:9092 (setting kafka.bootstrap-servers)", "postgres.schema=herald (default)");
    }
}
