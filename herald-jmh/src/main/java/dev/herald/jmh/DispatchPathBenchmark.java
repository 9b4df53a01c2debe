package dev.herald.jmh;

import dev.herald.bench.FatEvents;
import dev.herald.dispatch.DeliveryPolicy;
import dev.herald.dispatch.DispatchObserver;
import dev.herald.dispatch.Dispatcher;
import dev.herald.event.JsonEvents;
import dev.herald.filter.Filter;
import dev.herald.schema.SchemaRegistry;
import dev.herald.transport.Consumer;
import dev.herald.transport.Delivery;
import dev.herald.transport.spi.AbstractDelivery;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.jackson.JsonFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The dispatch hot path, in microseconds per event: decoding a stored 1.5 KB event (what every
 * transport's consumer does, the raw baseline), and a {@link Dispatcher} with the default policy
 * taking {@value #BATCH} deliveries from its consumer, running a no-op handler for each on its
 * virtual threads and acknowledging them. The consumer here is an in-process queue whose
 * acknowledgement only counts, so the figure is the dispatcher's own cost, no store's.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@State(Scope.Benchmark)
public class DispatchPathBenchmark {

    static final int BATCH = 256;

    private final EventFormat format = new JsonFormat();
    private final QueueConsumer consumer = new QueueConsumer();
    private byte[] stored;
    private CloudEvent event;
    private Dispatcher dispatcher;

    @Setup(Level.Trial)
    public void start() {
        event = new FatEvents(SchemaRegistry.builtinCatalog()).event(0);
        stored = JsonEvents.write(event);
        dispatcher = Dispatcher.forEvents("jmh", consumer, Filter.ALL_EVENTS, handled -> { },
                DeliveryPolicy.DEFAULT, DispatchObserver.NONE);
        dispatcher.start();
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        dispatcher.stop(Duration.ofSeconds(5));
    }

    /** A stored event back to a CloudEvent, as a consumer hands it to the dispatcher. */
    @Benchmark
    public CloudEvent decode() {
        return format.deserialize(stored);
    }

    /** A batch through the dispatcher, from the consumer's poll to the last ack. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void dispatch() throws InterruptedException {
        CountDownLatch acked = new CountDownLatch(BATCH);
        List<Delivery> batch = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            batch.add(new CountedDelivery(event, i + 1, acked));
        }
        consumer.deliveries.addAll(batch);
        acked.await();
    }

    /** A consumer handing out what the benchmark queued, up to what the dispatcher asks for. */
    private static final class QueueConsumer implements Consumer {
        final LinkedBlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();

        @Override
        public List<Delivery> poll(int max, Duration timeout) throws InterruptedException {
            Delivery first = deliveries.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (first == null) {
                return List.of();
            }
            List<Delivery> polled = new ArrayList<>(max);
            polled.add(first);
            deliveries.drainTo(polled, max - 1);
            return polled;
        }

        @Override
        public void close() {
            deliveries.clear();
        }
    }

    /** A delivery whose acknowledgement counts down the benchmark's latch. */
    private static final class CountedDelivery extends AbstractDelivery {
        private final CountDownLatch acked;
        private final long position;

        CountedDelivery(CloudEvent event, long position, CountDownLatch acked) {
            super(event, "jmh", 1, Instant.EPOCH);
            this.position = position;
            this.acked = acked;
        }

        @Override
        protected void settleAck() {
            acked.countDown();
        }

        @Override
        protected void settleNack(Duration delay) {
            throw new IllegalStateException("the no-op handler never fails");
        }

        @Override
        protected void settleDeadLetter(String error) {
            throw new IllegalStateException("the no-op handler never fails");
        }

        @Override
        protected String where() {
            return "#" + position;
        }
    }
}
