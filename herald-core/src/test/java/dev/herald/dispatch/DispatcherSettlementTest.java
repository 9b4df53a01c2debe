package dev.herald.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.filter.Filter;
import dev.herald.transport.Consumer;
import dev.herald.transport.Delivery;
import dev.herald.transport.spi.AbstractDelivery;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A handler call gives its concurrency permit back when the handler returns, before its ack is
 * settled, and {@link Dispatcher#stop} still waits for acks on their way before it closes the consumer.
 */
class DispatcherSettlementTest {

    private final Queue<String> log = new ConcurrentLinkedQueue<>();
    private final CountDownLatch ackMayFinish = new CountDownLatch(1);
    private final QueueConsumer consumer = new QueueConsumer();

    @Test
    void theNextHandlerCallRunsWhileTheFirstAckIsStillOnItsWay() throws Exception {
        CountDownLatch handled = new CountDownLatch(2);
        Dispatcher dispatcher = Dispatcher.forEvents("s", consumer, Filter.ALL_EVENTS, event -> handled.countDown(),
                DeliveryPolicy.DEFAULT.withConcurrency(1), DispatchObserver.NONE);
        consumer.deliveries.add(new SlowAck("1"));
        consumer.deliveries.add(new SlowAck("2"));
        dispatcher.start();
        try {
            assertThat(handled.await(10, TimeUnit.SECONDS)).as("event 2 handled while ack 1 waits").isTrue();
            assertThat(log).doesNotContain("acked 1");
        } finally {
            ackMayFinish.countDown();
            dispatcher.stop(Duration.ofSeconds(10));
        }
        assertThat(log).contains("acked 1", "acked 2");
    }

    @Test
    void stopWaitsForAcksOnTheirWayBeforeClosingTheConsumer() throws Exception {
        CountDownLatch handled = new CountDownLatch(1);
        Dispatcher dispatcher = Dispatcher.forEvents("s", consumer, Filter.ALL_EVENTS, event -> handled.countDown(),
                DeliveryPolicy.DEFAULT, DispatchObserver.NONE);
        consumer.deliveries.add(new SlowAck("1"));
        dispatcher.start();
        assertThat(handled.await(10, TimeUnit.SECONDS)).isTrue();
        Thread release = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ackMayFinish.countDown();
        });

        assertThat(dispatcher.stop(Duration.ofSeconds(10))).as("drained").isTrue();
        release.join();
        assertThat(List.copyOf(log)).containsExactly("acked 1", "consumer closed");
    }

    /** A consumer handing out what the test queued. */
    private final class QueueConsumer implements Consumer {
        final LinkedBlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();

        @Override
        public List<Delivery> poll(int max, Duration timeout) throws InterruptedException {
            Delivery first = deliveries.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return first == null ? List.of() : List.of(first);
        }

        @Override
        public void close() {
            log.add("consumer closed");
        }
    }

    /** A delivery whose ack waits until the test lets it finish, as a store's commit may. */
    private final class SlowAck extends AbstractDelivery {
        private final String id;

        SlowAck(String id) {
            super(testEvent(id), "s", 1, Instant.EPOCH);
            this.id = id;
        }

        @Override
        protected void settleAck() {
            try {
                ackMayFinish.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            log.add("acked " + id);
        }

        @Override
        protected void settleNack(Duration delay) {
            log.add("nacked " + id);
        }

        @Override
        protected void settleDeadLetter(String error) {
            log.add("dead-lettered " + id);
        }

        @Override
        protected String where() {
            return "#" + id;
        }
    }

    private static CloudEvent testEvent(String id) {
        return CloudEventBuilder.v1().withId(id).withType("test.event").withSource(URI.create("/test")).build();
    }
}
