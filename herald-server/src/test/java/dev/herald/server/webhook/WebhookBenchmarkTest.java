package dev.herald.server.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny run of {@link WebhookBenchmark}, so that it keeps working; run its main for real figures. */
class WebhookBenchmarkTest {

    @TempDir
    Path dir;

    @Test
    void smallRunDeliversEverythingAndPrintsFigures() throws Exception {
        WebhookBenchmark.Figures figures = WebhookBenchmark.run(dir, 50, 8, 50, 1);

        System.out.println(figures);
        assertThat(figures.deliveriesPerSecond()).isPositive();
        assertThat(figures.latencyEvents()).isEqualTo(50);
        assertThat(figures.p99Millis()).isPositive();
    }
}
