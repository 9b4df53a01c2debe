package dev.herald.test;

import dev.herald.transport.Consumer;
import dev.herald.transport.Delivery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A subscription's consumer that returns the transport's deliveries (watching how the dispatcher
 * settles them) and, ahead of them, deliveries injected by {@link Subscribers#consume}.
 */
final class InjectingConsumer implements Consumer {

    /**
     * The longest a poll waits on the transport before looking for injected deliveries again. The
     * dispatcher polls with a 500 ms timeout; without slicing, an injected event could wait that long.
     */
    private static final long SLICE_NANOS = Duration.ofMillis(10).toNanos();

    private final Consumer delegate;
    private final String subscription;
    private final RecordingTransport transport;
    private final ConcurrentLinkedQueue<SyntheticDelivery> injected = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    InjectingConsumer(Consumer delegate, String subscription, RecordingTransport transport) {
        this.delegate = delegate;
        this.subscription = subscription;
        this.transport = transport;
    }

    void inject(SyntheticDelivery delivery) {
        injected.add(delivery);
        if (closed) {
            abandonInjected();
        }
    }

    @Override
    public List<Delivery> poll(int max, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Delivery> ready = new ArrayList<>();
            SyntheticDelivery next;
            while (ready.size() < max && (next = injected.poll()) != null) {
                ready.add(next);
            }
            if (!ready.isEmpty()) {
                return ready;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return List.of();
            }
            List<Delivery> polled = delegate.poll(max, Duration.ofNanos(Math.min(left, SLICE_NANOS)));
            if (!polled.isEmpty()) {
                return polled.stream().<Delivery>map(this::observed).toList();
            }
        }
    }

    private Delivery observed(Delivery delivery) {
        if (delivery.attempt() > 1) {
            transport.recording().retryTaken(subscription);
        }
        return new ObservedDelivery(delivery, transport.recording());
    }

    @Override
    public void close() {
        closed = true;
        delegate.close();
        transport.closed(subscription, this);
        abandonInjected();
    }

    private void abandonInjected() {
        SyntheticDelivery left;
        while ((left = injected.poll()) != null) {
            left.abandon("the subscription's consumer closed before it took the event");
        }
    }
}
