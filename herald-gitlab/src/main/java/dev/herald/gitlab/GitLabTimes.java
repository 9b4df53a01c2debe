package dev.herald.gitlab;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * Reads the timestamps GitLab writes in webhook payloads, which come in three shapes depending on the
 * hook: RFC 3339 ({@code 2013-12-03T17:15:43Z}), {@code 2015-05-17 18:08:09 UTC} and
 * {@code 2021-04-28 21:50:00 +0200}.
 */
final class GitLabTimes {

    private static final List<DateTimeFormatter> FORMATS = List.of(
            DateTimeFormatter.ISO_OFFSET_DATE_TIME,
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSS] 'UTC'").withZone(java.time.ZoneOffset.UTC),
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSS] xx"));

    private GitLabTimes() {
    }

    /** The instant {@code text} names; empty when it is in none of GitLab's formats. */
    static Optional<OffsetDateTime> parse(String text) {
        for (DateTimeFormatter format : FORMATS) {
            try {
                return Optional.of(java.time.ZonedDateTime.parse(text, format).toOffsetDateTime());
            } catch (DateTimeParseException ignored) {
                // try the next shape
            }
        }
        return Optional.empty();
    }
}
