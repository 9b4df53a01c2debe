package dev.herald.jmh;

import dev.herald.bench.FatEvents;
import dev.herald.event.EnvelopeRules;
import dev.herald.event.JsonEvents;
import dev.herald.event.Violation;
import dev.herald.schema.EventValidator;
import dev.herald.schema.SchemaRegistry;
import dev.herald.store.EventStore;
import dev.herald.transport.memory.InMemoryTransport;
import io.cloudevents.CloudEvent;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The publish hot path, one 1.5 KB fat event ({@link FatEvents}) at a time, in microseconds per event:
 * what {@link EventStore#publish} spends before any transport writes — encoding the event to its
 * structured JSON, validating envelope and schema — and the whole publish to the in-memory transport,
 * whose own cost is an append to a list. {@link #encode} is the raw baseline of the others.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@State(Scope.Benchmark)
public class PublishPathBenchmark {

    private CloudEvent event;
    private EventValidator validator;
    private EventStore store;

    @Setup(Level.Trial)
    public void events() {
        SchemaRegistry registry = SchemaRegistry.builtinCatalog();
        event = new FatEvents(registry).event(0);
        validator = new EventValidator(EnvelopeRules.defaults(), registry);
    }

    /** A fresh store per iteration: the in-memory transport keeps every event it was given. */
    @Setup(Level.Iteration)
    public void openStore() {
        store = EventStore.builder(new InMemoryTransport(), SchemaRegistry.builtinCatalog()).build();
    }

    @TearDown(Level.Iteration)
    public void closeStore() {
        store.close();
    }

    /** Structured JSON, as the transports store it. */
    @Benchmark
    public byte[] encode() {
        return JsonEvents.write(event);
    }

    /** Envelope rules and the catalog schema of the event's type. */
    @Benchmark
    public List<Violation> validate() {
        return validator.check(event);
    }

    /** The whole publish on the in-memory transport: provenance, routing, validation, telemetry, append. */
    @Benchmark
    public CloudEvent publishInMemory() {
        return store.publish(event);
    }
}
