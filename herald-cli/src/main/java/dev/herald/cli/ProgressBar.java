package dev.herald.cli;

import dev.herald.archive.Exporter;
import java.io.Console;
import java.io.PrintStream;
import java.lang.reflect.Method;

/**
 * A one-line progress bar with rows/s and ETA, redrawn at most 4 times a second; silent when stderr
 * is not a terminal (so logs and pipes get only the final summary).
 */
final class ProgressBar implements Exporter.Progress, AutoCloseable {

    private static final int WIDTH = 30;

    private final PrintStream out;
    private final long started = System.nanoTime();
    private long lastDraw;
    private boolean drawn;

    private ProgressBar(PrintStream out) {
        this.out = out;
    }

    /** A bar on {@code out} when the process runs on a terminal; otherwise one that prints nothing. */
    static ProgressBar onTerminal(PrintStream out) {
        return new ProgressBar(isTerminal() ? out : null);
    }

    @Override
    public void update(long rows, double fraction) {
        long now = System.nanoTime();
        if (out == null || now - lastDraw < 250_000_000L) {
            return;
        }
        lastDraw = now;
        double seconds = (now - started) / 1e9;
        double rate = rows / Math.max(seconds, 1e-9);
        StringBuilder line = new StringBuilder("\r");
        if (Double.isNaN(fraction)) {
            line.append(String.format("%,d rows  %,.0f rows/s", rows, rate));
        } else {
            int filled = (int) Math.round(fraction * WIDTH);
            String eta = fraction <= 0 ? "--:--" : clock(seconds * (1 - fraction) / fraction);
            line.append('[').append("#".repeat(filled)).append(" ".repeat(WIDTH - filled)).append("] ")
                    .append(String.format("%3.0f%%  %,d rows  %,.0f rows/s  ETA %s", fraction * 100, rows, rate, eta));
        }
        out.print(line);
        out.flush();
        drawn = true;
    }

    @Override
    public void close() {
        if (drawn) {
            out.println();
            out.flush();
            drawn = false;
        }
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format("%02d:%02d", s / 60, s % 60);
    }

    /** {@code Console.isTerminal()} from JDK 22 on; before it, a non-null console is a terminal. */
    private static boolean isTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method method = Console.class.getMethod("isTerminal");
            return (Boolean) method.invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
