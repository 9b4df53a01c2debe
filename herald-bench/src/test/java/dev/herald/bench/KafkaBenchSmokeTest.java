package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.transport.kafka.KafkaTestBroker;
import org.junit.jupiter.api.Test;

/**
 * {@code herald bench kafka} with tiny sizes against a real single-node broker in a child JVM (the
 * Kafka transport's test broker): it runs, prints the machine and its ratio lines, and refuses to
 * run without a reachable cluster. No speed is asserted.
 */
class KafkaBenchSmokeTest {

    @Test
    void printsTheMachineAndEveryRatio() throws Exception {
        try (KafkaTestBroker broker = KafkaTestBroker.start()) {
            BenchOutput output = BenchOutput.of(KafkaBench::run, "--bootstrap", broker.bootstrapServers(),
                    "--events", "40", "--clients", "2", "--rate", "20", "--seconds", "1");

            assertThat(output.exit()).as(output.text()).isZero();
            assertThat(output.text().lines().skip(1).findFirst())
                    .hasValueSatisfying(l -> assertThat(l).startsWith("machine: "));
            assertThat(output.ratios("ratio Herald/raw publish")).hasSize(1);
            assertThat(output.ratios("ratio Herald/raw latency")).hasSize(2);
            for (String side : new String[] {"raw KafkaProducer -> KafkaConsumer", "Herald publish -> subscription"}) {
                // events, lost, p50, p99, max: all 20 arrived
                assertThat(output.line(side)).matches(".*\\s20\\s+0\\s+[0-9.]+\\s+[0-9.]+\\s+[0-9.]+$");
            }
        }
    }

    @Test
    void withoutBootstrapItIsExitTwo() {
        BenchOutput output = BenchOutput.of(KafkaBench::run, "--events", "10");
        assertThat(output.exit()).isEqualTo(2);
        assertThat(output.text()).contains("--bootstrap is required").contains("Usage:");
    }

    @Test
    void anUnreachableClusterIsExitTwo() {
        BenchOutput output = BenchOutput.of(KafkaBench::run, "--bootstrap", "127.0.0.1:1");
        assertThat(output.exit()).isEqualTo(2);
        assertThat(output.text()).contains("--bootstrap: cannot reach Kafka at 127.0.0.1:1");
    }
}
