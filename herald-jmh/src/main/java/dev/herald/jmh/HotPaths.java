package dev.herald.jmh;

import dev.herald.bench.Machine;
import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * The jar's entry point: {@code java -jar herald-jmh/target/benchmarks.jar [JMH options]}. Prints the
 * machine, runs the benchmarks JMH's options select (all by default), and prints each hot path as a
 * ratio of its raw baseline in the same run: publish and validation against encoding the event,
 * dispatch against decoding it, intake against parsing the request body to a tree.
 */
public final class HotPaths {

    private HotPaths() {
    }

    public static void main(String[] args) throws RunnerException {
        CommandLineOptions options;
        try {
            options = new CommandLineOptions(args);
        } catch (CommandLineOptionException e) {
            System.err.println("herald-jmh: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.out.println(Machine.describe());
        Collection<RunResult> results = new Runner(options).run();
        Map<String, Double> micros = new HashMap<>();
        for (RunResult result : results) {
            String label = result.getParams().getBenchmark();
            micros.put(label.substring(label.lastIndexOf('.') + 1), result.getPrimaryResult().getScore());
        }
        System.out.println();
        System.out.println(Machine.describe());
        ratio(micros, "publishInMemory", "encode");
        ratio(micros, "validate", "encode");
        ratio(micros, "dispatch", "decode");
        ratio(micros, "read", "parseTree");
        ratio(micros, "readBatch", "parseTree");
        ratio(micros, "intakeInMemory", "parseTree");
    }

    private static void ratio(Map<String, Double> micros, String path, String baseline) {
        if (micros.containsKey(path) && micros.containsKey(baseline)) {
            System.out.printf(Locale.ROOT, "%-16s %9.3f us/event = %7.3fx %s (%.3f us/event, the raw baseline)%n",
                    path, micros.get(path), micros.get(path) / micros.get(baseline), baseline, micros.get(baseline));
        }
    }
}
