package dev.herald.bench;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * The line every benchmark prints first, so that a figure is never read without the machine it was
 * measured on: cores, JDK, operating system and the load average when the run started (a busy machine
 * makes every absolute figure rough; the ratios against a baseline of the same run stay comparable).
 */
public final class Machine {

    private Machine() {
    }

    /**
     * Describes this machine now.
     *
     * @return for example {@code machine: 2 CPUs, JDK 25.0.1+8-LTS (Eclipse Adoptium), Linux 6.1 amd64,
     *     load average 0.42}
     */
    public static String describe() {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return String.format(Locale.ROOT, "machine: %d CPUs, JDK %s (%s), %s %s %s, load average %s",
                Runtime.getRuntime().availableProcessors(), Runtime.version(),
                System.getProperty("java.vendor", "unknown vendor"), System.getProperty("os.name"),
                System.getProperty("os.version"), System.getProperty("os.arch"),
                load < 0 ? "unavailable" : String.format(Locale.ROOT, "%.2f", load));
    }
}
