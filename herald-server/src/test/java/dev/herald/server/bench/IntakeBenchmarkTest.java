package dev.herald.server.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Keeps the benchmark working: a one-second run of each mode, no figures asserted beyond "it ran". */
class IntakeBenchmarkTest {

    @Test
    void bothModesRunAndAcceptEvents() throws Exception {
        List<IntakeBenchmark.Result> results = IntakeBenchmark.run(Duration.ofMillis(500), Duration.ofSeconds(1), 4, 2, 20,
                new PrintStream(PrintStream.nullOutputStream()));

        assertThat(results).extracting(IntakeBenchmark.Result::mode).containsExactly("single", "batch");
        assertThat(results).allSatisfy(r -> {
            assertThat(r.events()).isPositive();
            assertThat(r.errors()).isZero();
        });
        results.forEach(System.out::println);
    }
}
