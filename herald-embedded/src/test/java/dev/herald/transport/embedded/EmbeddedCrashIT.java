package dev.herald.transport.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.transport.Consumer;
import dev.herald.transport.Delivery;
import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a process that publishes and consumes ({@link CrashWorkload}) with SIGKILL at random
 * moments, several rounds on one store, then checks the store in this JVM: every event whose
 * publish returned is in the log and reaches the subscription, no event whose ack returned comes
 * back, and the only redeliveries are events that were in flight when a process was killed.
 */
class EmbeddedCrashIT {

    private static final int ROUNDS = 5;
    /** A round is killed after at least this many publishes returned, plus a random delay. */
    private static final int MIN_PUBLISHED_BEFORE_KILL = 50;

    @TempDir
    Path dir;

    @Test
    void nothingAcknowledgedIsLostWhenTheProcessIsKilled() throws Exception {
        Path file = dir.resolve("crash.db");
        Set<String> published = new HashSet<>();
        Set<String> acked = new HashSet<>();
        Set<String> ackInDoubt = new HashSet<>();
        List<String> ackedThenRedelivered = new ArrayList<>();
        int redelivered = 0;
        int inFlightAtKills = 0;

        for (int round = 0; round < ROUNDS; round++) {
            Round output = runAndKill(file, "r" + round);
            for (Map.Entry<String, Integer> lease : output.leased.entrySet()) {
                if (acked.contains(lease.getKey())) {
                    ackedThenRedelivered.add(lease.getKey());
                }
                if (lease.getValue() > 1) {
                    redelivered++;
                }
            }
            Set<String> inFlight = new HashSet<>(output.leased.keySet());
            inFlight.removeAll(output.acked);
            Set<String> inDoubt = new HashSet<>(output.acking);
            inDoubt.removeAll(output.acked);
            published.addAll(output.published);
            acked.addAll(output.acked);
            ackInDoubt.removeAll(output.acked);
            ackInDoubt.addAll(inDoubt);
            inFlightAtKills += inFlight.size();
            System.out.printf("crash round %d: killed after %d publishes returned (%d acked, %d in flight,"
                    + " %d redelivered from earlier kills)%n", round, output.published.size(), output.acked.size(),
                    inFlight.size(), output.leased.values().stream().filter(attempt -> attempt > 1).count());
        }

        try (EmbeddedTransport transport = EmbeddedTransport.open(file)) {
            transport.createSubscription(SubscriptionSpec.of("audit", CrashWorkload.TOPIC)
                    .withStart(StartPosition.EARLIEST));
            Map<String, Integer> inLog = drain(transport, "audit");
            Map<String, Integer> afterRestart = drain(transport, CrashWorkload.SUBSCRIPTION);
            for (Map.Entry<String, Integer> delivery : afterRestart.entrySet()) {
                if (acked.contains(delivery.getKey())) {
                    ackedThenRedelivered.add(delivery.getKey());
                }
                if (delivery.getValue() > 1) {
                    redelivered++;
                }
            }
            Set<String> mustArrive = new HashSet<>(published);
            mustArrive.removeAll(acked);
            mustArrive.removeAll(ackInDoubt);
            Set<String> lost = new HashSet<>(mustArrive);
            lost.removeAll(afterRestart.keySet());
            Set<String> missingFromLog = new HashSet<>(published);
            missingFromLog.removeAll(inLog.keySet());
            int redeliveryBound = inFlightAtKills + ROUNDS * CrashWorkload.CONSUMERS * CrashWorkload.POLL_MAX;

            System.out.printf("crash totals: %d rounds, %d publishes returned before kills (%d events in the log,"
                    + " %d committed but not reported before a kill), %d acked, %d delivered after the last"
                    + " restart, %d redelivered (in flight at kills: %d, acks in doubt: %d)%n", ROUNDS,
                    published.size(), inLog.size(), inLog.size() - published.size(), acked.size(),
                    afterRestart.size(), redelivered, inFlightAtKills, ackInDoubt.size());

            assertThat(missingFromLog).as("published events missing from the log").isEmpty();
            assertThat(lost).as("published, unacknowledged events never delivered again").isEmpty();
            assertThat(ackedThenRedelivered).as("acknowledged events delivered again").isEmpty();
            assertThat(redelivered).as("redeliveries beyond what was in flight at the kills")
                    .isLessThanOrEqualTo(redeliveryBound);
            assertThat(transport.stats(CrashWorkload.SUBSCRIPTION).backlog()).isZero();
        }
    }

    /** What one killed process reported. */
    private record Round(List<String> published, Map<String, Integer> leased, Set<String> acking,
                         Set<String> acked) {
    }

    /**
     * Runs the workload until enough publishes returned, then SIGKILLs it at a random moment. Its
     * stdout goes to a file rather than a pipe: what the process wrote before it died is then all
     * there, however the kill lands.
     */
    private Round runAndKill(Path file, String prefix) throws Exception {
        Path stdout = dir.resolve(prefix + ".stdout");
        Path stderr = dir.resolve(prefix + ".stderr");
        Process process = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), CrashWorkload.class.getName(), file.toString(), prefix)
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
        try {
            awaitPublishes(process, stdout, stderr);
            Thread.sleep(ThreadLocalRandom.current().nextInt(0, 1_000));
        } finally {
            process.destroyForcibly();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        return parse(Files.readAllLines(stdout));
    }

    private static void awaitPublishes(Process process, Path stdout, Path stderr) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try (var lines = Files.lines(stdout)) {
                if (lines.filter(line -> line.startsWith("P ")).count() >= MIN_PUBLISHED_BEFORE_KILL) {
                    return;
                }
            }
            if (!process.isAlive()) {
                throw new AssertionError("the workload died by itself: " + Files.readString(stderr));
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the workload published too little within a minute: " + Files.readString(stderr));
    }

    private static Round parse(List<String> lines) {
        List<String> published = new ArrayList<>();
        Map<String, Integer> leased = new HashMap<>();
        Set<String> acking = new HashSet<>();
        Set<String> acked = new HashSet<>();
        for (String line : lines) {
            String[] fields = line.split(" ");
            switch (fields[0]) {
                case "P" -> published.add(fields[1]);
                case "L" -> leased.put(fields[1], Integer.parseInt(fields[2]));
                case "K" -> acking.add(fields[1]);
                case "A" -> acked.add(fields[1]);
                default -> { }
            }
        }
        return new Round(published, leased, acking, acked);
    }

    /** Every event the subscription delivers until it is quiet, acked, with its attempt number. */
    private static Map<String, Integer> drain(EmbeddedTransport transport, String subscription)
            throws InterruptedException {
        Map<String, Integer> delivered = new HashMap<>();
        try (Consumer consumer = transport.openConsumer(subscription)) {
            List<Delivery> batch;
            while (!(batch = consumer.poll(1_000, Duration.ofMillis(500))).isEmpty()) {
                for (Delivery delivery : batch) {
                    assertThat(delivered.put(delivery.event().getId(), delivery.attempt()))
                            .as("delivered twice after restart: %s", delivery.event().getId()).isNull();
                    delivery.ack();
                }
            }
        }
        return delivered;
    }
}
