package dev.herald.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.transport.EncodedEvent;
import dev.herald.transport.Transport;
import dev.herald.transport.memory.InMemoryBroker;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The benchmark helper runs end to end on the in-memory transport and reports what every benchmark must. */
class TransportBenchmarkTest {

    @Test
    void reportsTheMachineFirstThenEveryScenariosRatioAndTheLatency() throws Exception {
        AtomicInteger rawPublished = new AtomicInteger();
        AtomicInteger rounds = new AtomicInteger();
        TransportBenchmark.RawClient<byte[]> raw = new TransportBenchmark.RawClient<>() {
            @Override
            public String describe() {
                return "a list standing in for a client";
            }

            @Override
            public byte[] prepare(String topic, EncodedEvent event) {
                return event.json();
            }

            @Override
            public void publish(String topic, List<byte[]> batch) {
                rawPublished.addAndGet(batch.size());
            }

            @Override
            public void afterRound(String topic) {
                rounds.incrementAndGet();
            }
        };
        TransportBenchmark.Report report;
        try (Transport transport = new InMemoryBroker().connect()) {
            report = TransportBenchmark.named("memory", "held in memory")
                    .scenario("keys of their own", seq -> TestEvents.ofStructuredSize("a", seq, TransportBenchmark.EVENT_BYTES))
                    .scenario("probes", seq -> TestEvents.probe("b", seq))
                    .run(transport, raw);
        }

        assertThat(report.lines().getFirst()).startsWith("machine: ").contains("CPUs", "JDK", "load average");
        assertThat(report.lines()).filteredOn(line -> line.contains("ratio Herald / raw")).hasSize(2);
        assertThat(report.lines()).anySatisfy(line -> assertThat(line).contains("publish -> handler: p50"));
        assertThat(report.ratios()).hasSize(2).allSatisfy(ratio -> assertThat(ratio).isPositive());
        assertThat(rounds).as("a warm-up and three measured rounds per scenario").hasValue(8);
        assertThat(rawPublished).as("every event of every round").hasValue(8 * 2_000);
    }
}
