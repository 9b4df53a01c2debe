package dev.herald.transport.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The benchmark at a tiny size, so that the suite proves it runs and prints figures. For real
 * figures run {@link PostgresBenchmark#main} (or this test with {@code -Dherald.bench.full=true}).
 */
@Tag("benchmark")
class PostgresBenchmarkTest {

    @Test
    void printsFigures() throws Exception {
        TestDatabase.create().close();
        String url = TestDatabase.url();
        PostgresBenchmark.Settings settings = Boolean.getBoolean("herald.bench.full")
                ? PostgresBenchmark.Settings.full(url) : PostgresBenchmark.Settings.tiny(url);
        PostgresBenchmark.Figures figures = PostgresBenchmark.run(settings, System.out);
        assertThat(figures.outboxPerSecond()).isPositive();
        assertThat(figures.rawBatchPerSecond()).isPositive();
        assertThat(figures.delivered()).isEqualTo(settings.latencyEvents());
    }
}
