package dev.herald.tck;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.herald.transport.Capability;
import dev.herald.transport.Consumer;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.SubscriptionSpec;
import dev.herald.transport.Transport;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * What the conformance tests see of the running kit: the transport under test, fresh names, scaled
 * counts, and helpers that keep each test short. {@link TransportConformanceTest} implements it;
 * the capability groups ({@link OrderingConformance}, …) are test interfaces built on it.
 */
public interface ConformanceContext {

    /**
     * Delays are asserted as lower bounds minus this much: transports may store due times at
     * millisecond precision and OS timers are coarse. Never used for upper bounds.
     */
    Duration CLOCK_TOLERANCE = Duration.ofMillis(15);

    /** The transport under test, opened for this test. */
    Transport transport();

    /** Closes the transport under test (a stop in the middle of a test); idempotent. */
    void stopTransport();

    /** Stops the transport if still open and opens a new one on the same storage through the factory. */
    Transport reopen() throws Exception;

    /** A new name, unique across runs: {@code tck-<what>-<random>}. */
    String fresh(String what);

    /** The stress multiplier: system property {@code herald.tck.stress}, default 1. */
    int stress();

    /** The generous limit for anything awaited: system property {@code herald.tck.timeout} (seconds), default 60. */
    Duration timeout();

    /** Publishes a key/value to the test report and to standard output. */
    void report(String key, Object value);

    /** Closes {@code resource} after the test, before the transport; returns it. */
    <T extends AutoCloseable> T closeAfterTest(T resource);

    /**
     * The database the transport under test stores its events in, for the caller's transactions of
     * {@link TransactionConformance}. A transport declaring {@link Capability#TRANSACTIONS} overrides
     * this in its conformance test; the default has none.
     */
    default Optional<DataSource> transactionalDataSource() {
        return Optional.empty();
    }

    /** {@code n} times the stress multiplier. */
    default int scaled(int n) {
        return Math.multiplyExact(n, stress());
    }

    /** Whether the transport declares the capability. */
    default boolean declares(Capability capability) {
        return transport().capabilities().contains(capability);
    }

    /** Skips the calling test unless the transport declares the capability. */
    default void assumeCapability(Capability capability) {
        assumeTrue(declares(capability), () -> transport().name() + " does not declare " + capability);
    }

    /** Creates the subscription and returns its spec. */
    default SubscriptionSpec subscribe(SubscriptionSpec spec) {
        transport().createSubscription(spec);
        return spec;
    }

    /** Creates a fresh unordered subscription of {@code topic}, from latest, without delay. */
    default SubscriptionSpec subscribe(String topic) {
        return subscribe(SubscriptionSpec.of(fresh("sub"), topic));
    }

    /** Publishes in one call, encoded as the core encodes events. */
    default void publish(String topic, List<CloudEvent> events) {
        transport().publish(topic, EncodedEvent.all(events));
    }

    /** Opens a consumer that is closed after the test. */
    default Consumer openConsumer(String subscription) {
        return closeAfterTest(transport().openConsumer(subscription));
    }

    /** A collector that acknowledges everything into a new log. */
    default Collector collect(String subscription) {
        return collect(subscription, Collector.Handler.ACK, new DeliveryLog());
    }

    /** A collector with its own new log. */
    default Collector collect(String subscription, Collector.Handler handler) {
        return collect(subscription, handler, new DeliveryLog());
    }

    /** A collector writing to a (possibly shared) log, polling up to 10 deliveries at a time. */
    default Collector collect(String subscription, Collector.Handler handler, DeliveryLog log) {
        return collect(subscription, handler, log, 10);
    }

    /** A collector, closed after the test. */
    default Collector collect(String subscription, Collector.Handler handler, DeliveryLog log, int maxPerPoll) {
        return closeAfterTest(Collector.start(transport(), subscription, fresh("consumer"), handler, log, maxPerPoll));
    }

    /** Awaitility preset: {@link #timeout()}, polling every 20 ms. */
    default ConditionFactory await() {
        return Awaitility.await().atMost(timeout()).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20));
    }

    /** Waits until every id was acknowledged in {@code log}; fails naming what is missing. */
    default void awaitAcked(DeliveryLog log, Collection<String> ids) {
        await().untilAsserted(() -> {
            failOnCollectorErrors(log);
            List<String> missing = log.missingAcked(ids);
            if (!missing.isEmpty()) {
                throw new AssertionError(missing.size() + " of " + ids.size() + " events not received yet, e.g. "
                        + missing.subList(0, Math.min(5, missing.size())));
            }
        });
    }

    /** Fails when a collector writing to {@code log} died. */
    default void failOnCollectorErrors(DeliveryLog log) {
        if (!log.failures().isEmpty()) {
            throw new AssertionError("a consumer loop failed: " + log.failures());
        }
    }

    /**
     * Lets stragglers arrive before checking that nothing extra was delivered. Only used before
     * "nothing extra" checks, never to wait for something expected.
     */
    default void quietPeriod() throws InterruptedException {
        Thread.sleep(250);
    }

    /**
     * Everything expected was acknowledged and nothing else was delivered. Duplicate
     * acknowledgements (at-least-once redeliveries) are counted and reported; they fail the test
     * only when {@code duplicatesAllowed} is false.
     *
     * @return the number of duplicate acknowledgements
     */
    default int assertReceivedExactly(DeliveryLog log, Collection<String> expected, boolean duplicatesAllowed) {
        failOnCollectorErrors(log);
        List<String> missing = log.missingAcked(expected);
        if (!missing.isEmpty()) {
            throw new AssertionError(missing.size() + " of " + expected.size() + " events missing, e.g. "
                    + missing.subList(0, Math.min(5, missing.size())));
        }
        List<String> extra = log.unexpected(new HashSet<>(expected));
        if (!extra.isEmpty()) {
            throw new AssertionError(extra.size() + " unexpected events delivered, e.g. "
                    + extra.subList(0, Math.min(5, extra.size())));
        }
        int duplicates = log.duplicateAcks();
        if (duplicates > 0) {
            report("duplicates", duplicates + " duplicate deliveries of " + expected.size() + " events");
            if (!duplicatesAllowed) {
                throw new AssertionError(duplicates + " events were handled more than once");
            }
        }
        return duplicates;
    }

    /**
     * Runs {@code body} on {@code threads} virtual threads released together, waits for all of them
     * and rethrows the first failure.
     */
    default void concurrently(int threads, ThreadBody body) throws InterruptedException {
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> started = new ArrayList<>(threads);
        for (int i = 0; i < threads; i++) {
            int index = i;
            started.add(Thread.ofVirtual().name("tck-worker-" + i).start(() -> {
                try {
                    start.await();
                    body.run(index);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        start.countDown();
        for (Thread thread : started) {
            if (!thread.join(timeout())) {
                throw new AssertionError(thread.getName() + " did not finish within " + timeout());
            }
        }
        if (failure.get() != null) {
            throw new AssertionError("a worker thread failed: " + failure.get(), failure.get());
        }
    }

    /** The body of one of {@link #concurrently}'s threads. */
    @FunctionalInterface
    interface ThreadBody {
        void run(int thread) throws Exception;
    }

    /** The ids of the events, in order. */
    default List<String> ids(Collection<CloudEvent> events) {
        return TestEvents.ids(events);
    }

    /** The union of id lists, as a set. */
    @SafeVarargs
    static Set<String> union(Collection<String>... parts) {
        Set<String> all = new HashSet<>();
        for (Collection<String> part : parts) {
            all.addAll(part);
        }
        return all;
    }
}
