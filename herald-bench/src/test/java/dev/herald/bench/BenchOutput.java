package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A benchmark's exit code and printed text, with the lookups the smoke tests need. */
record BenchOutput(int exit, String text) {

    /** Runs a benchmark's {@code run(args, out)} and captures what it printed. */
    static BenchOutput of(BiFunction<String[], PrintStream, Integer> bench, String... args) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int exit = bench.apply(args, new PrintStream(buffer, true, StandardCharsets.UTF_8));
        return new BenchOutput(exit, buffer.toString(StandardCharsets.UTF_8));
    }

    /** The first line that starts (after indentation) with {@code label}. */
    String line(String label) {
        return text.lines().filter(l -> l.strip().startsWith(label)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with '" + label + "' in\n" + text));
    }

    /** The numbers before each "x" of a ratio line, checked to be positive. */
    List<Double> ratios(String label) {
        Matcher matcher = Pattern.compile("([0-9]+\\.[0-9]+)x").matcher(line(label));
        List<Double> ratios = matcher.results().map(m -> Double.parseDouble(m.group(1))).toList();
        assertThat(ratios).as(label).isNotEmpty().allSatisfy(r -> assertThat(r).isPositive());
        return ratios;
    }
}
