package dev.herald.bench;

import static dev.herald.bench.BenchOutput.figures;
import static dev.herald.bench.BenchOutput.line;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code herald bench dispatch} with tiny numbers against the local Redis: every figure and
 * ratio is printed, nothing is lost. No timing is asserted.
 */
class DispatchBenchSmokeTest {

    @TempDir
    Path data;

    @Test
    void printsEveryFigureAndRatio() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int exit = DispatchBench.run(new String[] {"dispatch", "--backlog", "300", "--low-rate", "100",
                "--high-rate", "300", "--seconds", "1", "--publishers", "2", "--workers", "2",
                "--data", data.toString()}, new PrintStream(buffer, true, StandardCharsets.UTF_8));
        String output = buffer.toString(StandardCharsets.UTF_8);
        List<String> lines = output.lines().toList();

        assertThat(exit).as(output).isZero();
        assertThat(lines.getFirst()).startsWith("machine: ");
        for (String label : List.of("R  raw SQLite", "J1 Redis", "J4 Redis", "H1 Herald", "H4 Herald")) {
            // handled, seconds, handled/s
            assertThat(figures(line(lines, label), 3)).as(label).allSatisfy(v -> assertThat(v).isPositive());
        }
        assertThat(figures(line(lines, "H1 Herald"), 3).getFirst()).as("H1 handles backlog and warm-up")
                .isEqualTo(600);
        assertThat(figures(line(lines, "H4 Herald"), 3).getFirst()).as("H4 handles them four times")
                .isEqualTo(2400);
        Matcher ratios = Pattern.compile("H1/R ([0-9.]+)x +H1/J1 ([0-9.]+)x +H4/R ([0-9.]+)x +H4/J4 ([0-9.]+)x")
                .matcher(line(lines, "H1/R"));
        assertThat(ratios.find()).as(output).isTrue();
        for (int group = 1; group <= 4; group++) {
            assertThat(Double.parseDouble(ratios.group(group))).isPositive();
        }
        for (String rate : List.of("100", "300")) {
            assertThat(line(lines, "embedded/Redis at " + rate + "/s")).containsPattern("p50 [0-9.]+x +p99 [0-9.]+x");
        }
        List<String> latencyRows = lines.stream().filter(l -> l.startsWith("embedded ")
                || l.startsWith("Redis job per subscriber") || l.startsWith("memory (reference)")
                || l.startsWith("raw SQLite 1-row commit")).toList();
        assertThat(latencyRows).as("three pipelines at two rates, and the commit floor at the low rate").hasSize(7);
        for (String row : latencyRows) {
            // rate/s, events, lost, p50, p90, p99, max
            List<Double> figures = figures(row, 7);
            assertThat(figures.get(2)).as(row + ": lost").isZero();
            assertThat(List.of(figures.get(0), figures.get(1), figures.get(3), figures.get(6))).as(row)
                    .allSatisfy(v -> assertThat(v).isPositive());
        }
        try (var left = Files.list(data)) {
            assertThat(left).as("the run deletes its files").isEmpty();
        }
    }

    @Test
    void refusesBadArguments() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int exit = DispatchBench.run(new String[] {"--redis", "nowhere"},
                new PrintStream(buffer, true, StandardCharsets.UTF_8));
        assertThat(exit).isEqualTo(2);
        assertThat(buffer.toString(StandardCharsets.UTF_8)).contains("--redis must be HOST:PORT or none")
                .contains("Usage: herald bench dispatch");
    }
}
