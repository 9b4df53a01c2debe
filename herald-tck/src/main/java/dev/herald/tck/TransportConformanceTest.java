package dev.herald.tck;

import dev.herald.transport.Transport;
import java.time.Duration;
import java.util.Deque;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestReporter;

/**
 * The transport conformance kit. A transport runs all of it with one small subclass:
 *
 * <pre>{@code
 * class EmbeddedTransportConformanceTest extends TransportConformanceTest {
 *     @TempDir static Path dir;
 *     @Override protected TransportFactory factory() {
 *         return () -> EmbeddedTransport.open(dir.resolve("herald.db"));
 *     }
 * }
 * }</pre>
 *
 * <p>The tests come from test interfaces, one per group: what every transport must do
 * ({@link PublishConformance}, {@link RedeliveryConformance}, {@link ConsumerConformance}) and
 * one per capability ({@link OrderingConformance}, {@link ReplayConformance},
 * {@link ConsumerGroupConformance}, {@link DurabilityConformance}, {@link NativeDelayConformance},
 * {@link NativeFilteringConformance}, {@link AtomicBatchConformance}, {@link QueryConformance},
 * {@link TransactionConformance}); a
 * capability's tests are skipped by assumption unless the transport declares it.
 *
 * <p>A transport is opened through the factory before each test and closed after it. Every test
 * uses fresh topic and subscription names, so all tests may share one storage. Counts are small by
 * default; the system property {@code herald.tck.stress} multiplies them (10–100 for a soak run),
 * and {@code herald.tck.timeout} (seconds, default 60) bounds every wait.
 */
public abstract class TransportConformanceTest implements ConformanceContext,
        PublishConformance, RedeliveryConformance, ConsumerConformance, SpiContractConformance,
        OrderingConformance, ReplayConformance, ConsumerGroupConformance, DurabilityConformance,
        NativeDelayConformance, NativeFilteringConformance, AtomicBatchConformance, QueryConformance,
        TransactionConformance {

    /** System property: count multiplier for stress runs. */
    public static final String STRESS_PROPERTY = "herald.tck.stress";
    /** System property: limit for every wait, in seconds. */
    public static final String TIMEOUT_PROPERTY = "herald.tck.timeout";

    private final Deque<AutoCloseable> resources = new ConcurrentLinkedDeque<>();
    private Transport transport;
    private boolean stopped;
    private TestReporter reporter;
    private String testName;

    /** Opens transports on the storage the kit runs against. */
    protected abstract TransportFactory factory();

    @BeforeEach
    protected final void openTransport(TestInfo info, TestReporter testReporter) throws Exception {
        this.reporter = testReporter;
        this.testName = info.getTestMethod().map(m -> m.getName()).orElse(info.getDisplayName());
        this.transport = Objects.requireNonNull(factory().open(), "factory().open() returned null");
        this.stopped = false;
    }

    @AfterEach
    protected final void closeTransport() throws Exception {
        Exception failure = null;
        // Consumers and collectors first, newest first, so none polls a closed transport.
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                failure = failure == null ? e : failure;
            }
        }
        stopTransport();
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public final Transport transport() {
        if (transport == null) {
            throw new IllegalStateException("no transport: the test runs outside the kit's lifecycle");
        }
        return transport;
    }

    @Override
    public final void stopTransport() {
        if (transport != null && !stopped) {
            stopped = true;
            transport.close();
        }
    }

    @Override
    public final Transport reopen() throws Exception {
        stopTransport();
        transport = Objects.requireNonNull(factory().open(), "factory().open() returned null");
        stopped = false;
        return transport;
    }

    @Override
    public final String fresh(String what) {
        byte[] random = new byte[5];
        ThreadLocalRandom.current().nextBytes(random);
        return "tck-" + what + "-" + HexFormat.of().formatHex(random);
    }

    @Override
    public int stress() {
        return Math.max(1, Integer.getInteger(STRESS_PROPERTY, 1));
    }

    @Override
    public Duration timeout() {
        return Duration.ofSeconds(Math.max(1, Integer.getInteger(TIMEOUT_PROPERTY, 60)));
    }

    @Override
    public final void report(String key, Object value) {
        String line = String.valueOf(value);
        if (reporter != null) {
            reporter.publishEntry(key, line);
        }
        System.out.println("[herald-tck] " + transport().name() + " " + testName + ": " + key + " = " + line);
    }

    @Override
    public final <T extends AutoCloseable> T closeAfterTest(T resource) {
        resources.push(resource);
        return resource;
    }
}
