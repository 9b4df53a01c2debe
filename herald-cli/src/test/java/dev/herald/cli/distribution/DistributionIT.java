package dev.herald.cli.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.transport.kafka.KafkaTestBroker;
import dev.herald.transport.nsq.NsqProtocolDouble;
import dev.herald.transport.pubsub.PubSubEmulator;
import dev.herald.transport.rabbitmq.RabbitMqTestBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The assembled distribution serves on every transport:
 * {@code bin/herald serve --transport postgres|kafka|pubsub|rabbitmq|nsq} in a child process, against the real
 * PostgreSQL, a real Kafka broker, the Pub/Sub emulator, the real RabbitMQ and NSQ's protocol test double, takes
 * events over HTTP and
 * delivers them, signed, to a webhook. A runtime jar missing from {@code herald-cli/target/lib} fails here.
 */
class DistributionIT {

    private static final String ADMIN = "hrld-distribution-it-admin-token-0123456789abcdef";

    @TempDir
    Path data;

    @Test
    void theDistributionCarriesEveryTransportsRuntimeJars() throws IOException {
        try (Stream<Path> jars = Files.list(HeraldProcess.lib())) {
            List<String> names = jars.map(jar -> jar.getFileName().toString()).toList();
            assertThat(names).as("herald-cli/target/lib")
                    .anyMatch(name -> name.startsWith("postgresql-"))
                    .anyMatch(name -> name.startsWith("HikariCP-"))
                    .anyMatch(name -> name.startsWith("kafka-clients-"))
                    .anyMatch(name -> name.startsWith("sqlite-jdbc-"))
                    .anyMatch(name -> name.startsWith("herald-postgres-"))
                    .anyMatch(name -> name.startsWith("herald-kafka-"))
                    .anyMatch(name -> name.startsWith("google-cloud-pubsub-"))
                    .anyMatch(name -> name.startsWith("herald-pubsub-"))
                    .anyMatch(name -> name.startsWith("amqp-client-"))
                    .anyMatch(name -> name.startsWith("herald-rabbitmq-"))
                    .anyMatch(name -> name.startsWith("herald-nsq-"));
        }
    }

    @Test
    void servesOnPostgres() throws Exception {
        try (TestSchema schema = TestSchema.create("herald_dist");
             HeraldProcess herald = HeraldProcess.serve(data).transport("postgres")
                     .set("postgres.url", TestSchema.URL).set("postgres.schema", schema.name())
                     .set("webhooks.ssrf-guard", "false").adminToken(ADMIN).start()) {
            publishesAndDelivers(herald);
        }
    }

    @Test
    void servesOnKafka() throws Exception {
        try (KafkaTestBroker broker = KafkaTestBroker.start();
             HeraldProcess herald = HeraldProcess.serve(data).transport("kafka")
                     .set("kafka.bootstrap-servers", broker.bootstrapServers())
                     .set("webhooks.ssrf-guard", "false").adminToken(ADMIN).start()) {
            publishesAndDelivers(herald);
        }
    }

    @Test
    void servesOnPubSub() throws Exception {
        // A prefix of its own: the emulator may be shared with other runs.
        String prefix = "dist-" + Long.toHexString(System.nanoTime()) + "-";
        try (HeraldProcess herald = HeraldProcess.serve(data).transport("pubsub")
                .set("pubsub.project", PubSubEmulator.PROJECT).set("pubsub.emulator-host", PubSubEmulator.hostPort())
                .set("pubsub.prefix", prefix).set("webhooks.ssrf-guard", "false").adminToken(ADMIN).start()) {
            // The emulator has no seek, so the transport declares no replay there: the subscription starts at latest.
            publishesAndDelivers(herald, "latest");
        }
    }

    @Test
    void servesOnRabbitMq() throws Exception {
        String prefix = RabbitMqTestBroker.freshPrefix("dist");
        try (HeraldProcess herald = HeraldProcess.serve(data).transport("rabbitmq")
                .set("rabbitmq.uri", RabbitMqTestBroker.uri().toString()).set("rabbitmq.prefix", prefix)
                .set("webhooks.ssrf-guard", "false").adminToken(ADMIN).start()) {
            List<String> ids = publishesAndDelivers(herald);
            // The stored stream reads back over HTTP: a scan of the topic's RabbitMQ stream.
            HeraldApi.Answer page = new HeraldApi(ADMIN).get(herald, "/v1/events?limit=100");
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            assertThat(page.json().path("events").findValuesAsText("id")).containsAll(ids);
        } finally {
            RabbitMqTestBroker.deleteEverything(RabbitMqTestBroker.uri(), prefix);
        }
    }

    /**
     * On NSQ, against the protocol test double of nsqd (nsqd cannot be installed here), started in this JVM on
     * ephemeral ports: the distribution finds the transport, speaks the protocol and delivers.
     */
    @Test
    void servesOnNsq() throws Exception {
        try (NsqProtocolDouble nsqd = NsqProtocolDouble.start();
             HeraldProcess herald = HeraldProcess.serve(data).transport("nsq")
                     .set("nsq.nsqd", nsqd.tcpAddress()).set("nsq.nsqd-http", nsqd.httpAddress())
                     .set("webhooks.ssrf-guard", "false").adminToken(ADMIN).start()) {
            publishesAndDelivers(herald, "latest"); // NSQ cannot replay
        }
    }

    /**
     * One event and a batch of two, posted over HTTP, reach a webhook subscription with valid signatures.
     *
     * @return the ids of the three events
     */
    private static List<String> publishesAndDelivers(HeraldProcess herald) {
        return publishesAndDelivers(herald, "earliest");
    }

    /** The same, with the subscription starting at {@code startAt}. */
    private static List<String> publishesAndDelivers(HeraldProcess herald, String startAt) {
        HeraldApi api = new HeraldApi(ADMIN);
        try (WebhookSink sink = new WebhookSink()) {
            api.subscribeWebhook(herald, "dist-check", sink, startAt);
            ObjectNode single = HeraldApi.event();
            List<ObjectNode> batch = List.of(HeraldApi.event(), HeraldApi.event());
            HeraldApi.Answer one = api.publish(herald, single);
            assertThat(one.status()).as(one.body()).isEqualTo(202);
            HeraldApi.Answer two = api.publishBatch(herald, batch);
            assertThat(two.status()).as(two.body()).isEqualTo(202);

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(sink.delivered("dist-check"))
                    .as(herald::tail)
                    .contains(single.get("id").asText(), batch.get(0).get("id").asText(), batch.get(1).get("id").asText()));
            assertThat(sink.badSignatures()).isZero();
            return List.of(single.get("id").asText(), batch.get(0).get("id").asText(), batch.get(1).get("id").asText());
        }
    }
}
