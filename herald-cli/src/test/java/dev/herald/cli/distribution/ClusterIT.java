package dev.herald.cli.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.transport.kafka.KafkaTestBroker;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Herald as a cluster: three {@code bin/herald serve} processes of the assembled distribution share one
 * transport and one PostgreSQL state, (a) on PostgreSQL alone, (b) on a real Kafka broker with the state in
 * PostgreSQL. A client spreads single and batch POSTs over the instances while one instance is SIGKILLed
 * and restarted; a webhook sink checks every signature. Asserted in each setup:
 * <ul>
 *   <li>every event answered 202 reaches the sink (duplicates are counted and printed: at-least-once);</li>
 *   <li>a subscription created on instance 1 delivers while instance 1 is down;</li>
 *   <li>a token revoked on instance 2 is refused by instance 3 within a second;</li>
 *   <li>a schema registered on instance 1 is used by instance 3 within a second;</li>
 *   <li>the same {@code source}+{@code id} posted to instances 1 and 3 is stored once.</li>
 * </ul>
 */
class ClusterIT {

    private static final String ADMIN = "hrld-cluster-it-admin-token-0123456789abcdefghij";
    private static final String SUBSCRIPTION = "cluster-all";
    /** The key sealing the shared state's secrets: the same on every instance. */
    private static final String SECRET_KEY = java.util.Base64.getEncoder().encodeToString(new byte[32]);

    @TempDir
    Path dir;

    private final HeraldApi api = new HeraldApi(ADMIN);

    @Test
    void threeInstancesOnOnePostgres() throws Exception {
        try (TestSchema events = TestSchema.create("herald_cluster");
             TestSchema state = TestSchema.create("herald_cluster_state")) {
            runCluster("postgres", builder -> builder.transport("postgres").set("postgres.url", TestSchema.URL)
                    .set("postgres.schema", events.name()).set("state.schema", state.name()), true);
        }
    }

    @Test
    void threeInstancesOnKafkaWithPostgresState() throws Exception {
        try (KafkaTestBroker broker = KafkaTestBroker.start();
             TestSchema state = TestSchema.create("herald_cluster_state")) {
            runCluster("kafka + postgres state", builder -> builder.transport("kafka").set("kafka.bootstrap-servers", broker.bootstrapServers())
                    .set("state.url", TestSchema.URL).set("state.schema", state.name()), false);
        }
    }

    /**
     * @param setupName                  what the printed figures are of
     * @param concurrentCopiesStoredOnce whether two copies posted to two instances at the same instant are
     *                                   stored once too (the PostgreSQL transport, whose keys are written in the
     *                                   events' transaction)
     */
    private void runCluster(String setupName, UnaryOperator<HeraldProcess.Builder> setup, boolean concurrentCopiesStoredOnce)
            throws Exception {
        List<HeraldProcess> nodes = new ArrayList<>();
        try (WebhookSink sink = new WebhookSink()) {
            for (int i = 1; i <= 3; i++) {
                nodes.add(setup.apply(HeraldProcess.serve(dir.resolve("node" + i)))
                        .set("webhooks.ssrf-guard", "false").adminToken(ADMIN)
                        .environment("HERALD_SECRET_KEY", SECRET_KEY).start());
            }
            HeraldProcess one = nodes.get(0);
            HeraldProcess two = nodes.get(1);
            HeraldProcess three = nodes.get(2);

            api.subscribeWebhook(one, SUBSCRIPTION, sink);
            Load load = new Load(nodes);
            load.start();
            load.awaitRequests(30);
            one.kill();
            int acceptedBeforeDowntime = load.accepted.size();
            load.awaitRequests(load.requests.get() + 30);
            Set<String> acceptedWhileDown = Set.copyOf(load.accepted.keySet());
            await("events accepted while instance 1 is down reach its subscription").atMost(Duration.ofSeconds(45))
                    .untilAsserted(() -> assertThat(sink.delivered(SUBSCRIPTION)).containsAll(acceptedWhileDown));
            assertThat(one.alive()).as("instance 1 still down").isFalse();
            assertThat(acceptedWhileDown.size()).as("accepted during the downtime").isGreaterThan(acceptedBeforeDowntime);

            one.restart();
            load.awaitRequests(load.requests.get() + 30);
            load.stop();

            await("every event answered 202 is delivered").atMost(Duration.ofSeconds(45))
                    .untilAsserted(() -> assertThat(sink.delivered(SUBSCRIPTION)).containsAll(load.accepted.keySet()));
            System.out.printf("cluster %s: %d events answered 202 over %d requests (%d refused while an instance "
                            + "was down), %d delivered, %d duplicate deliveries, %d bad signatures%n",
                    setupName, load.accepted.size(),
                    load.requests.get(), load.failed.get(), sink.delivered(SUBSCRIPTION).size(),
                    sink.duplicates(SUBSCRIPTION), sink.badSignatures());
            assertThat(sink.badSignatures()).isZero();

            aTokenRevokedOnTwoIsRefusedByThreeWithinASecond(one, two, three);
            aSchemaRegisteredOnOneIsUsedByThreeWithinASecond(one, three);
            theSameEventPostedToOneAndThreeIsStoredOnce(one, two, three, concurrentCopiesStoredOnce);
        } finally {
            nodes.forEach(HeraldProcess::kill);
        }
    }

    private void aTokenRevokedOnTwoIsRefusedByThreeWithinASecond(HeraldProcess one, HeraldProcess two,
                                                                HeraldProcess three) {
        HeraldApi.Answer created = api.createToken(one, "cluster-producer", List.of("publish:*"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        HeraldApi producer = new HeraldApi(created.json().path("token").asText());
        await("the new token works on instance 3").atMost(Duration.ofSeconds(1))
                .until(() -> producer.publish(three, HeraldApi.event()).status() == 202);

        HeraldApi.Answer revoked = api.revokeToken(two, created.json().path("id").asText());
        assertThat(revoked.status()).as(revoked.body()).isBetween(200, 299);
        long revokedAt = System.nanoTime();
        await("instance 3 refuses the token revoked on instance 2").atMost(Duration.ofSeconds(1))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> producer.publish(three, HeraldApi.event()).status() == 401);
        System.out.printf("token revoked on instance 2 refused by instance 3 after %d ms%n",
                (System.nanoTime() - revokedAt) / 1_000_000);
    }

    private void aSchemaRegisteredOnOneIsUsedByThreeWithinASecond(HeraldProcess one, HeraldProcess three) {
        String type = "cluster.order.created";
        ObjectNode order = HeraldApi.event().put("type", type);
        order.putObject("data").put("order_id", 42);
        assertThat(api.publish(three, order).status()).as("no schema for the type yet").isEqualTo(400);

        HeraldApi.Answer registered = api.send(one, "POST", "/v1/schemas/" + type, "application/json", """
                {"type": "object", "required": ["order_id"], "properties": {"order_id": {"type": "integer"}}}""");
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        long registeredAt = System.nanoTime();
        await("instance 3 accepts events of the type registered on instance 1").atMost(Duration.ofSeconds(1))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> api.publish(three, order.deepCopy().put("id", UUID.randomUUID().toString())).status() == 202);
        System.out.printf("schema registered on instance 1 used by instance 3 after %d ms%n",
                (System.nanoTime() - registeredAt) / 1_000_000);
    }

    private void theSameEventPostedToOneAndThreeIsStoredOnce(HeraldProcess one, HeraldProcess two,
                                                             HeraldProcess three, boolean concurrent) {
        String source = "urn:herald:cluster-it:" + UUID.randomUUID();
        ObjectNode event = HeraldApi.event(source, "same-id");
        assertThat(api.publish(one, event).status()).isEqualTo(202);
        HeraldApi.Answer again = api.publish(three, event);
        assertThat(again.status()).as(again.body()).isEqualTo(202);
        assertThat(again.json().path("duplicates").toString()).contains("same-id");
        assertThat(storedOnceVisible(two, source, 1)).as("copies of %s stored", source).isEqualTo(1);

        if (concurrent) {
            String racing = "urn:herald:cluster-it:race:" + UUID.randomUUID();
            for (int i = 0; i < 10; i++) {
                ObjectNode copy = HeraldApi.event(racing, "race-" + i);
                CompletableFuture<HeraldApi.Answer> toOne = CompletableFuture.supplyAsync(() -> api.publish(one, copy));
                CompletableFuture<HeraldApi.Answer> toThree = CompletableFuture.supplyAsync(() -> api.publish(three, copy));
                assertThat(toOne.join().status()).isEqualTo(202);
                assertThat(toThree.join().status()).isEqualTo(202);
            }
            assertThat(storedOnceVisible(two, racing, 10)).as("ten events, each posted to instances 1 and 3 at once")
                    .isEqualTo(10);
        }
    }

    /**
     * How many stored events have this source, read once at least {@code expected} are visible. PostgreSQL
     * shows the log below the cluster-wide transaction horizon, so an event committed a moment ago stays
     * hidden while any older transaction (another instance's lease or ack) is still open; a lost event
     * never shows up and fails the wait, a duplicate shows as a count above {@code expected}.
     */
    private int storedOnceVisible(HeraldProcess on, String source, int expected) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> stored(on, source), count -> count >= expected);
    }

    /** How many stored events have this source ({@code GET /v1/events?source=}). */
    private int stored(HeraldProcess on, String source) {
        HeraldApi.Answer page = api.get(on, "/v1/events?limit=100&source=" + URLEncoder.encode(source, StandardCharsets.UTF_8));
        assertThat(page.status()).as(page.body()).isEqualTo(200);
        JsonNode events = page.json().path("events");
        return events.size();
    }

    /**
     * A client posting without pause, round robin over the instances, alternating a single event and a
     * batch of four; remembers every event id answered 202. A refused or failed request (an instance down)
     * is counted and its events forgotten: the producer was told they were not taken.
     */
    private final class Load {
        private final List<HeraldProcess> nodes;
        final ConcurrentHashMap<String, Boolean> accepted = new ConcurrentHashMap<>();
        final AtomicInteger requests = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private Thread thread;

        Load(List<HeraldProcess> nodes) {
            this.nodes = nodes;
        }

        void start() {
            thread = Thread.ofVirtual().name("cluster-load").start(() -> {
                for (int i = 0; running.get(); i++) {
                    HeraldProcess to = nodes.get(i % nodes.size());
                    List<ObjectNode> events = i % 2 == 0 ? List.of(HeraldApi.event())
                            : List.of(HeraldApi.event(), HeraldApi.event(), HeraldApi.event(), HeraldApi.event());
                    HeraldApi.Answer answer = events.size() == 1 ? api.publish(to, events.get(0))
                            : api.publishBatch(to, events);
                    if (answer.status() == 202) {
                        events.forEach(e -> accepted.put(e.get("id").asText(), true));
                    } else {
                        failed.incrementAndGet();
                    }
                    requests.incrementAndGet();
                }
            });
        }

        void awaitRequests(int count) {
            await().atMost(Duration.ofSeconds(60)).until(() -> requests.get() >= count);
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join();
        }
    }
}
