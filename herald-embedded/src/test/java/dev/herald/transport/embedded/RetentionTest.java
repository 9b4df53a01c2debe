package dev.herald.transport.embedded;

import static dev.herald.transport.embedded.Fixtures.drain;
import static dev.herald.transport.embedded.Fixtures.events;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.event.EventBuilder;
import dev.herald.transport.Consumer;
import dev.herald.transport.Delivery;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionSpec;
import io.cloudevents.CloudEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionTest {

    private static final Duration SHORT = Duration.ofMillis(100);
    /** Long enough that the scheduled run never interferes: the tests run retention themselves. */
    private static final Duration NEVER = Duration.ofDays(1);

    @TempDir
    Path dir;

    @Test
    void oldEventsGoUnlessASubscriptionStillNeedsThem() throws Exception {
        EmbeddedOptions options = EmbeddedOptions.defaults().withRetentionMaxAge(Duration.ofMillis(200))
                .withRetentionInterval(NEVER);
        try (EmbeddedTransport transport = EmbeddedTransport.open(dir.resolve("herald.db"), options)) {
            transport.createSubscription(SubscriptionSpec.of("reader", "kept").withStart(StartPosition.EARLIEST));
            transport.publish("kept", EncodedEvent.all(events("kept", 6)));
            transport.publish("unread", EncodedEvent.all(events("unread", 4)));
            try (Consumer consumer = transport.openConsumer("reader")) {
                List<Delivery> deliveries = Fixtures.pollUntil(consumer, 3, Duration.ofSeconds(2));
                deliveries.get(0).ack();
                deliveries.get(1).ack();
                // kept-2 stays in flight, kept-3..5 are unread.
                Thread.sleep(300);
                transport.runRetention();

                transport.createSubscription(SubscriptionSpec.of("audit-kept", "kept")
                        .withStart(StartPosition.EARLIEST));
                transport.createSubscription(SubscriptionSpec.of("audit-unread", "unread")
                        .withStart(StartPosition.EARLIEST));
                try (Consumer kept = transport.openConsumer("audit-kept");
                     Consumer unread = transport.openConsumer("audit-unread")) {
                    assertThat(drain(kept, SHORT)).containsExactly("kept-2", "kept-3", "kept-4", "kept-5");
                    assertThat(drain(unread, SHORT)).isEmpty();
                }
                deliveries.get(2).ack();
                assertThat(drain(consumer, SHORT)).containsExactly("kept-3", "kept-4", "kept-5");
            }
        }
    }

    @Test
    void theOldestEventsGoWhenTheStoreIsTooLarge() throws Exception {
        EmbeddedOptions options = EmbeddedOptions.defaults().withRetentionMaxBytes(256 * 1024)
                .withRetentionInterval(NEVER);
        String padding = "x".repeat(4_000);
        List<CloudEvent> large = IntStream.range(0, 300).mapToObj(i -> EventBuilder.create().id("e-" + i)
                .type("test.large").source("/test").data(Map.of("padding", padding)).build()).toList();
        try (EmbeddedTransport transport = EmbeddedTransport.open(dir.resolve("herald.db"), options)) {
            for (int i = 0; i < large.size(); i += 50) {
                transport.publish("t", EncodedEvent.all(large.subList(i, i + 50)));
            }
            transport.runRetention();
            transport.createSubscription(SubscriptionSpec.of("audit", "t").withStart(StartPosition.EARLIEST));
            try (Consumer consumer = transport.openConsumer("audit")) {
                List<String> left = drain(consumer, SHORT);
                System.out.printf("size retention: %d of %d events of 4 KB left under a 256 KiB limit%n",
                        left.size(), large.size());
                assertThat(left).isNotEmpty().hasSizeLessThan(80).endsWith("e-299");
            }
        }
    }

    @Test
    void theSizeLimitHoldsEvenWhenASubscriptionLagsAndCountsWhatItLost() throws Exception {
        EmbeddedOptions options = EmbeddedOptions.defaults().withRetentionMaxBytes(256 * 1024)
                .withRetentionInterval(NEVER);
        String padding = "x".repeat(4_000);
        List<CloudEvent> large = IntStream.range(0, 300).mapToObj(i -> EventBuilder.create().id("e-" + i)
                .type("test.large").source("/test").data(Map.of("padding", padding)).build()).toList();
        try (EmbeddedTransport transport = EmbeddedTransport.open(dir.resolve("herald.db"), options)) {
            transport.createSubscription(SubscriptionSpec.of("lagging", "t").withStart(StartPosition.EARLIEST));
            transport.createSubscription(SubscriptionSpec.of("other-topic", "u").withStart(StartPosition.EARLIEST));
            try (Consumer consumer = transport.openConsumer("lagging")) {
                transport.publish("t", EncodedEvent.all(large.subList(0, 10)));
                List<Delivery> inFlight = Fixtures.pollUntil(consumer, 2, Duration.ofSeconds(2));
                for (int i = 10; i < large.size(); i += 50) {
                    transport.publish("t", EncodedEvent.all(large.subList(i, Math.min(i + 50, large.size()))));
                }

                transport.runRetention();

                long dropped = transport.stats("lagging").droppedByRetention();
                long backlog = transport.stats("lagging").backlog();
                List<String> left = drain(consumer, SHORT);
                System.out.printf("hard size retention: %d of %d unread events of 4 KB dropped under a 256 KiB "
                        + "limit, %d left%n", dropped, large.size(), left.size());
                assertThat(left).as("within the limit").isNotEmpty().hasSizeLessThan(80).endsWith("e-299");
                assertThat(dropped).as("every event it will never see is counted")
                        .isEqualTo(large.size() - left.size());
                assertThat(inFlight).extracting(d -> d.event().getId()).allSatisfy(id ->
                        assertThat(left).doesNotContain(id));
                assertThat(backlog).as("what is left, and nothing dropped").isEqualTo(left.size());
                assertThat(transport.stats("other-topic").droppedByRetention()).isZero();
            }
        }
    }
}
