package dev.herald.tck;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * The machine line that starts every transport benchmark's report, in the format of {@code herald-bench}'s
 * {@code Machine.describe()} (which the kit cannot depend on: that module belongs to the distribution). A busy
 * machine makes absolute figures rough; ratios against a baseline of the same run stay comparable.
 */
final class BenchMachine {

    private BenchMachine() {
    }

    /** For example {@code machine: 2 CPUs, JDK 25.0.1+8-LTS (Eclipse Adoptium), Linux 6.1 amd64, load average 0.42}. */
    static String describe() {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        String loadText = load < 0 ? "unavailable" : String.format(Locale.ROOT, "%.2f", load);
        return "machine: " + Runtime.getRuntime().availableProcessors() + " CPUs, JDK " + Runtime.version() + " ("
                + System.getProperty("java.vendor", "unknown vendor") + "), " + System.getProperty("os.name") + " "
                + System.getProperty("os.version") + " " + System.getProperty("os.arch") + ", load average " + loadText;
    }
}
