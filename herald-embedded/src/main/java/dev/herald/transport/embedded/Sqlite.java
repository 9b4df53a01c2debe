package dev.herald.transport.embedded;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.sqlite.SQLiteConfig;

/**
 * Opens the store's SQLite connections, and converts times to the stored form: every time in the
 * store is an {@code INTEGER} of nanoseconds since the epoch, so that "at or after an instant"
 * compares exactly, whatever the precision of the instant.
 */
final class Sqlite {

    /** Truncate the WAL back to this size after a checkpoint, so one huge batch does not keep a huge file. */
    private static final int JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024;

    /**
     * Delays beyond this are stored as this: a visibility time of now plus a century still fits a
     * 64-bit nanosecond count, while SQLite would turn an overflowing sum into an imprecise REAL.
     */
    private static final Duration MAX_DELAY = Duration.ofDays(36_525);

    private Sqlite() {
    }

    /**
     * The single connection that writes. WAL lets readers run beside it; {@code synchronous=FULL}
     * is its starting point, and the writer lowers it to {@code NORMAL} for batches that acknowledge
     * no publish (see {@link SqliteWriter}). Autocommit stays on: the writer issues {@code BEGIN},
     * {@code SAVEPOINT} and {@code COMMIT} itself, and the synchronous pragma can only change
     * between transactions.
     */
    static Connection openWriter(Path file, EmbeddedOptions options) throws SQLException {
        SQLiteConfig config = baseConfig(options);
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setJournalSizeLimit(JOURNAL_SIZE_LIMIT);
        return config.createConnection(url(file));
    }

    /** A connection for reads only; {@code query_only} turns an accidental write into an error. */
    static Connection openReader(Path file, EmbeddedOptions options) throws SQLException {
        Connection connection = baseConfig(options).createConnection(url(file));
        try (Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA query_only = ON");
        }
        return connection;
    }

    static long toNanos(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
    }

    static Instant toInstant(long nanos) {
        return Instant.ofEpochSecond(0, nanos);
    }

    /** A delay or timeout in nanoseconds, at most {@link #MAX_DELAY}. */
    static long delayNanos(Duration delay) {
        return delay.compareTo(MAX_DELAY) > 0 ? MAX_DELAY.toNanos() : delay.toNanos();
    }

    static long nowNanos() {
        return toNanos(Instant.now());
    }

    private static SQLiteConfig baseConfig(EmbeddedOptions options) {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, options.busyTimeout().toMillis()));
        return config;
    }

    private static String url(Path file) {
        return "jdbc:sqlite:" + file.toAbsolutePath();
    }
}
