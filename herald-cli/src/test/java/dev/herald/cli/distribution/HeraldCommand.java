package dev.herald.cli.distribution;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One run of a {@code bin/herald} command of the assembled distribution in a child process, as a user runs
 * it (with {@code HERALD_SKIP_BUILD=1}: the distribution as built, never rebuilt from a test).
 *
 * @param exit   the exit code
 * @param output what it wrote to stdout and stderr
 */
public record HeraldCommand(int exit, String output) {

    /**
     * Runs {@code bin/herald args}, writing its output to a file in {@code dir}; kills it and fails when it
     * takes longer than {@code timeout}.
     */
    public static HeraldCommand run(Path dir, Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(HeraldProcess.root().resolve("bin/herald").toString()));
        command.addAll(List.of(args));
        Files.createDirectories(dir);
        Path log = Files.createTempFile(dir, "herald-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("HERALD_SKIP_BUILD", "1");
        Process process = builder.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("herald " + String.join(" ", args) + " did not finish within " + timeout + ":\n"
                    + Files.readString(log));
        }
        return new HeraldCommand(process.exitValue(), Files.readString(log));
    }
}
