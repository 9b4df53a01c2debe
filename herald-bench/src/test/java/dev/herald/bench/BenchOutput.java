package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A benchmark's exit code and printed text, with the lookups the smoke tests need. */
record BenchOutput(int exit, String text) {

    private static final Pattern NUMBER = Pattern.compile("-?[0-9][0-9,]*(?:\\.[0-9]+)?|NaN");

    /** Runs a benchmark's {@code run(args, out)} and captures what it printed. */
    static BenchOutput of(BiFunction<String[], PrintStream, Integer> bench, String... args) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int exit = bench.apply(args, new PrintStream(buffer, true, StandardCharsets.UTF_8));
        return new BenchOutput(exit, buffer.toString(StandardCharsets.UTF_8));
    }

    /** The first line that starts (after indentation) with {@code label}. */
    String line(String label) {
        return line(text.lines().toList(), label);
    }

    /** The first of {@code lines} that starts (after indentation) with {@code label}; fails when there is none. */
    static String line(List<String> lines, String label) {
        return lines.stream().filter(l -> l.strip().startsWith(label)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with '" + label + "' in\n"
                        + String.join("\n", lines)));
    }

    /** The last {@code count} numbers of a line (labels may hold numbers too). */
    static List<Double> figures(String line, int count) {
        Matcher matcher = NUMBER.matcher(line);
        List<Double> all = new ArrayList<>();
        while (matcher.find()) {
            all.add(Double.parseDouble(matcher.group().replace(",", "")));
        }
        assertThat(all).as(line).hasSizeGreaterThanOrEqualTo(count);
        return all.subList(all.size() - count, all.size());
    }

    /** The numbers before each "x" of a ratio line, checked to be positive. */
    List<Double> ratios(String label) {
        Matcher matcher = Pattern.compile("([0-9]+\\.[0-9]+)x").matcher(line(label));
        List<Double> ratios = matcher.results().map(m -> Double.parseDouble(m.group(1))).toList();
        assertThat(ratios).as(label).isNotEmpty().allSatisfy(r -> assertThat(r).isPositive());
        return ratios;
    }
}
