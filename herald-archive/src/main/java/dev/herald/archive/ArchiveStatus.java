package dev.herald.archive;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How far an export or archive directory has got, from its manifest.
 *
 * @param rows       rows committed
 * @param files      part files committed
 * @param checkpoint the last committed checkpoint
 * @param lastEvent  the time of the newest exported event
 * @param complete   whether the last run reached the end of its source
 */
public record ArchiveStatus(long rows, int files, int checkpoint, Optional<Instant> lastEvent, boolean complete) {

    /** The directory's status; empty when it holds no manifest. */
    public static Optional<ArchiveStatus> of(Path dir) {
        Manifest manifest = Manifest.read(dir);
        if (manifest == null) {
            return Optional.empty();
        }
        return Optional.of(new ArchiveStatus(manifest.rows(), manifest.files().size(), manifest.checkpoint(),
                Optional.ofNullable(manifest.lastTime()).map(Instant::parse), manifest.complete()));
    }

    /** How far the newest exported event lies behind {@code now}. */
    public Optional<Duration> lag(Instant now) {
        return lastEvent.map(last -> Duration.between(last, now));
    }
}
