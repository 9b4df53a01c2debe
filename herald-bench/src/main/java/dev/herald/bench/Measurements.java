package dev.herald.bench;

import ch.qos.logback.classic.Level;
import java.util.List;

/**
 * How every benchmark runs its measurement once its options are read: with the per-event publish and
 * dispatch logs turned down for the run (they would measure the console, not Herald), and with one way
 * of letting a failure out — unchecked exceptions as they came, an interrupt kept, anything else wrapped.
 */
final class Measurements {

    /** A benchmark's measurement; returns the exit code (0 when done, 2 when what it was given is wrong). */
    @FunctionalInterface
    interface Measurement {
        int run() throws Exception;
    }

    private Measurements() {
    }

    /** Runs {@code measurement} with the event logs quiet, restoring them afterwards; returns its exit code. */
    static int run(Measurement measurement) {
        List<Level> levels = Bench.quietEventLogs();
        try {
            return measurement.run();
        } catch (RuntimeException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("the benchmark was interrupted", e);
        } catch (Exception e) {
            throw new IllegalStateException("the benchmark failed: " + e, e);
        } finally {
            Bench.restoreEventLogs(levels);
        }
    }
}
