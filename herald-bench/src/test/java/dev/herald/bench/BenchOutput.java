package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading a benchmark's printed table in its smoke test. */
final class BenchOutput {

    private static final Pattern NUMBER = Pattern.compile("-?[0-9][0-9,]*(?:\\.[0-9]+)?|NaN");

    private BenchOutput() {
    }

    /** The first line starting with {@code label} (leading blanks ignored); fails when there is none. */
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
}
