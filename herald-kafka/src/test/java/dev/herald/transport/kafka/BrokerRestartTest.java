package dev.herald.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.tck.Collector;
import dev.herald.tck.DeliveryLog;
import dev.herald.tck.TestEvents;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.SubscriptionSpec;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The broker itself is stopped and started again while events are published and consumed: every
 * event whose publish returned is received afterwards, by the same transport and consumer.
 */
@ExtendWith(KafkaBroker.class)
@Order(1)
class BrokerRestartTest {

    @Test
    void everyPublishThatReturnedIsReceivedAcrossABrokerRestart() throws Exception {
        String run = "restart-" + UUID.randomUUID().toString().substring(0, 8);
        String topic = run + "-topic";
        SubscriptionSpec spec = SubscriptionSpec.of(run + "-sub", topic);
        try (KafkaTransport transport = KafkaTransport.open(KafkaBroker.options().build())) {
            transport.createSubscription(spec);
            DeliveryLog log = new DeliveryLog();
            Set<String> confirmed = ConcurrentHashMap.newKeySet();
            AtomicInteger failed = new AtomicInteger();
            AtomicBoolean stop = new AtomicBoolean();
            try (Collector collector = Collector.start(transport, spec.name(), "restart", Collector.Handler.ACK, log, 50)) {
                Thread publisher = Thread.ofVirtual().start(() -> {
                    for (int seq = 0; !stop.get(); seq += 5) {
                        List<CloudEvent> batch = TestEvents.probes(run, seq, 5);
                        try {
                            transport.publish(topic, EncodedEvent.all(batch));
                            confirmed.addAll(TestEvents.ids(batch));
                        } catch (RuntimeException e) {
                            failed.incrementAndGet();
                        }
                    }
                });
                await().atMost(Duration.ofSeconds(30)).until(() -> confirmed.size() >= 200);
                long stopping = System.nanoTime();
                KafkaBroker.broker().restart();
                long downMillis = (System.nanoTime() - stopping) / 1_000_000;
                int atRestart = confirmed.size();
                await().atMost(Duration.ofSeconds(120)).until(() -> confirmed.size() >= atRestart + 200);
                stop.set(true);
                assertThat(publisher.join(Duration.ofSeconds(150))).isTrue();
                await().atMost(Duration.ofSeconds(120)).untilAsserted(() ->
                        assertThat(log.missingAcked(confirmed)).isEmpty());
                System.out.println("[herald-kafka] broker restart took " + downMillis + " ms; " + confirmed.size()
                        + " publishes returned, " + failed.get() + " calls failed, " + log.duplicateAcks()
                        + " duplicate deliveries");
                assertThat(log.failures()).isEmpty();
                assertThat(collector.isRunning()).as("the consumer survived the restart").isTrue();
            }
            transport.deleteSubscription(spec.name());
        }
    }
}
