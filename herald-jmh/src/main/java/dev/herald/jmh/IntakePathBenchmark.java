package dev.herald.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.bench.FatEventBodies;
import dev.herald.event.JsonEvents;
import dev.herald.schema.SchemaRegistry;
import dev.herald.store.EventStore;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.memory.InMemoryTransport;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.util.List;
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
 * The HTTP intake hot path after the body is read, for the 1.5 KB fat events `herald bench http` posts
 * ({@link FatEventBodies}), in microseconds per event: Jackson parsing a structured body to a tree (the raw
 * baseline: any reader of the body does at least that), {@link JsonEvents} reading it (that one parse,
 * the shape check, the event built from the tree, the envelope rules, the body kept as the stored form),
 * and that plus {@link EventStore#publishEncoded} of the kept bytes on the in-memory transport (schema
 * validation, routing, an append) — what the server does per event besides HTTP, authentication and
 * deduplication. {@link #readBatch} reads a batch of {@value #BATCH} and reports per event.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@State(Scope.Benchmark)
public class IntakePathBenchmark {

    static final int BATCH = 100;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final JsonEvents json = new JsonEvents();
    private byte[] structured;
    private byte[] batch;
    private EventStore store;

    @Setup(Level.Trial)
    public void bodies() {
        FatEventBodies bodies = FatEventBodies.create();
        structured = bodies.structured(0);
        batch = bodies.batch(0, BATCH);
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

    /** The body to a Jackson tree, nothing else. */
    @Benchmark
    public JsonNode parseTree() throws IOException {
        return MAPPER.readTree(structured);
    }

    /** The body to a checked event and its stored form. */
    @Benchmark
    public EncodedEvent read() {
        return json.readEncodedEvent(structured);
    }

    /** Read, then published to the in-memory transport with the bytes read. */
    @Benchmark
    public List<CloudEvent> intakeInMemory() {
        return store.publishEncoded(List.of(json.readEncodedEvent(structured)));
    }

    /** A batch body to checked events, each with its object's bytes cut from the array. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public List<EncodedEvent> readBatch() {
        return json.readEncodedBatch(batch);
    }
}
