package dev.herald.transport.postgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of the test classpath in a child JVM (same java binary, same class path), its
 * output going to files so that what it printed before it died is all there.
 */
final class ChildProcess {

    private ChildProcess() {
    }

    /** Output of a child that ended. */
    record Ended(int exitCode, List<String> stdout, String stderr) {
    }

    /** Starts {@code main} with {@code args}; stdout and stderr go to files in {@code dir}. */
    static Process start(Path dir, Class<?> main, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
                .redirectOutput(dir.resolve(main.getSimpleName() + ".stdout").toFile())
                .redirectError(dir.resolve(main.getSimpleName() + ".stderr").toFile())
                .start();
    }

    /** Waits until the child printed {@code line} (at most a minute). */
    static void awaitLine(Path dir, Class<?> main, Process process, String line) throws Exception {
        Path stdout = dir.resolve(main.getSimpleName() + ".stdout");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Files.exists(stdout) && Files.readAllLines(stdout).contains(line)) {
                return;
            }
            if (!process.isAlive()) {
                throw new AssertionError(main.getSimpleName() + " died: "
                        + Files.readString(dir.resolve(main.getSimpleName() + ".stderr")));
            }
            Thread.sleep(20);
        }
        process.destroyForcibly();
        throw new AssertionError(main.getSimpleName() + " did not print " + line + " within a minute");
    }

    /** Waits for the child to end (at most a minute) and reads what it printed. */
    static Ended await(Path dir, Class<?> main, Process process) throws Exception {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(main.getSimpleName() + " did not end within a minute");
        }
        return new Ended(process.exitValue(), Files.readAllLines(dir.resolve(main.getSimpleName() + ".stdout")),
                Files.readString(dir.resolve(main.getSimpleName() + ".stderr")));
    }

    /** Lines starting with {@code prefix + " "}, without the prefix. */
    static List<String> lines(List<String> stdout, String prefix) {
        return stdout.stream().filter(line -> line.startsWith(prefix + " "))
                .map(line -> line.substring(prefix.length() + 1)).toList();
    }
}
