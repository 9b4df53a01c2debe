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

/** Runs the whole benchmark with tiny numbers: every figure is printed and positive. No timing is asserted. */
class BenchSmokeTest {

    @TempDir
    Path data;

    @Test
    void printsEveryFigure() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int exit = Bench.run(new String[] {"embedded", "--events", "200", "--publishers", "4", "--rate", "200",
                "--seconds", "1", "--data", data.toString()}, new PrintStream(buffer, true, StandardCharsets.UTF_8));
        String output = buffer.toString(StandardCharsets.UTF_8);
        List<String> lines = output.lines().toList();

        assertThat(exit).as(output).isZero();
        assertThat(output).contains("herald.publish, herald.dispatch at WARN");
        for (String label : List.of("A  raw SQLite", "B  raw SQLite", "H  Herald embedded")) {
            // ops, seconds, ops/s
            assertThat(figures(line(lines, label), 3)).as(label).allSatisfy(v -> assertThat(v).isPositive());
        }
        Matcher ratios = Pattern.compile("Herald/A ([0-9.]+)x +Herald/B ([0-9.]+)x").matcher(line(lines, "Herald/A"));
        assertThat(ratios.find()).isTrue();
        assertThat(Double.parseDouble(ratios.group(1))).as("Herald/A").isPositive();
        assertThat(Double.parseDouble(ratios.group(2))).as("Herald/B").isPositive();
        for (String label : List.of("embedded ", "memory (reference)")) {
            // rate/s, events, lost, p50, p90, p99, max
            List<Double> figures = figures(line(lines, label), 7);
            assertThat(figures.get(1)).as(label + " events").isEqualTo(200);
            assertThat(figures.get(2)).as(label + " lost").isZero();
            assertThat(List.of(figures.get(0), figures.get(3), figures.get(4), figures.get(5), figures.get(6)))
                    .as(label).allSatisfy(v -> assertThat(v).isPositive());
        }
        try (var left = Files.list(data)) {
            assertThat(left).as("the run deletes its files").isEmpty();
        }
    }

    @Test
    void refusesUnknownArguments() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int exit = Bench.run(new String[] {"--events", "0"}, new PrintStream(buffer, true, StandardCharsets.UTF_8));
        assertThat(exit).isEqualTo(2);
        assertThat(buffer.toString(StandardCharsets.UTF_8)).contains("--events must be a positive").contains("Usage:");
    }
}
