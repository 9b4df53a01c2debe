package dev.herald.transport.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.api.core.ApiFuture;
import com.google.api.core.ApiFutures;
import com.google.pubsub.v1.PubsubMessage;
import dev.herald.tck.TestEvents;
import dev.herald.tck.TransportBenchmark;
import dev.herald.transport.EncodedEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Herald's Pub/Sub publish against the raw {@code google-cloud-pubsub} {@code Publisher} ({@link TransportBenchmark})
 * with the same settings (a second instance of the transport's publisher configuration: batching, flow control,
 * message ordering) and the same pattern (calls waiting for Pub/Sub's acks), on the emulator: the figures
 * measure the client side and the emulator, not Google's servers. {@code -Dherald.pubsub.bench.events=20000} for
 * real figures.
 */
class PubSubBenchmarkTest {

    @Test
    void publishThroughputAgainstTheRawPublisherAndEndToEndLatency() throws Exception {
        String run = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        PubSubOptions options = PubSubEmulator.options();
        Names names = new Names(options.project(), options.prefix());
        TransportBenchmark.Report report;
        try (PubSubTransport transport = PubSubTransport.open(options);
             PubSubClients raw = new PubSubClients(options)) {
            report = TransportBenchmark.named("pubsub", "acknowledged by Pub/Sub; batches of up to "
                            + options.publishBatchSize() + " messages, " + options.publishBatchDelay()
                            + " delay, message ordering on")
                    .scenario("an ordering key per event", seq -> TestEvents.ofStructuredSize(run, seq,
                            TransportBenchmark.EVENT_BYTES))
                    .scenario("one ordering key (one project) for all", seq -> CloudEventBuilder.v1(
                                    TestEvents.ofStructuredSize(run, seq, TransportBenchmark.EVENT_BYTES))
                            .withExtension("project", "gid://gitlab/Project/392359").build())
                    .latencyPause(Duration.ofMillis(5))
                    .run(transport, new TransportBenchmark.RawClient<PubsubMessage>() {
                        @Override
                        public String describe() {
                            return "raw google-cloud-pubsub Publisher";
                        }

                        @Override
                        public PubsubMessage prepare(String topic, EncodedEvent event) {
                            return EventCodec.encode(event).build();
                        }

                        @Override
                        public void publish(String topic, List<PubsubMessage> batch) throws Exception {
                            List<ApiFuture<String>> sends = new ArrayList<>(batch.size());
                            for (PubsubMessage message : batch) {
                                sends.add(raw.publish(names.topic(topic), message));
                            }
                            ApiFutures.allAsList(sends).get();
                        }
                    });
        }
        assertThat(report.ratios()).hasSize(2).allSatisfy(ratio -> assertThat(ratio).isPositive());
    }
}
