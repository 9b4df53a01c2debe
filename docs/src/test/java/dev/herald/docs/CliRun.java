package dev.herald.docs;

import dev.herald.cli.Herald;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

/**
 * One run of the {@code herald} command in this JVM with its output captured. System.out and
 * System.err are swapped for the run because some commands (demo, bench) print to them directly.
 *
 * @param exitCode the exit code
 * @param out      what it printed on stdout
 * @param err      what it printed on stderr
 */
record CliRun(int exitCode, String out, String err) {

    /** Runs {@code herald args…}; not thread-safe (it swaps the JVM's standard streams). */
    static synchronized CliRun of(List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = Herald.run(args.toArray(String[]::new));
        } finally {
            System.out.flush();
            System.err.flush();
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
        return new CliRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Every line printed, stdout then stderr. */
    List<String> lines() {
        return Stream.concat(out.lines(), err.lines()).toList();
    }
}
