package dev.herald.archive;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * How rows are partitioned below {@code type=…}, Hive-style, by the event's time (UTC): by day
 * ({@code date=2026-11-03}) or by hour ({@code date=2026-11-03/hour=14}). Query engines read the
 * directory names as columns ({@code date}, {@code hour}) and skip partitions a filter excludes.
 */
public enum Partitioning {
    /** {@code type=…/date=YYYY-MM-DD/}: the default, for exports and archives of modest daily volume. */
    DAY,
    /** {@code type=…/date=YYYY-MM-DD/hour=HH/}: for archives whose day of one type is too large for one directory. */
    HOUR;

    /** The partition directories, relative to the type's, of an event at {@code time}. */
    String directory(Instant time) {
        ZonedDateTime utc = time.atZone(ZoneOffset.UTC);
        String date = "date=" + utc.toLocalDate();
        return this == DAY ? date : date + "/hour=" + String.format("%02d", utc.getHour());
    }
}
