package dev.herald.archive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code _manifest.json}: what an export directory holds. It is replaced atomically at each
 * checkpoint, after that checkpoint's files are fully written in {@code _staging/}, and names them;
 * so the manifest alone says which rows are done, and a rerun continues after its position.
 *
 * @param fingerprint the export's filters (a rerun with other filters is refused)
 * @param checkpoint  the number of the last committed checkpoint (0: none)
 * @param position    the query cursor after which nothing is exported yet (null: from the start, or replay)
 * @param rows        rows committed so far
 * @param lastTime    the time of the newest exported event, if any
 * @param complete    whether the last run reached the end of the source
 * @param files       every committed file, relative to the directory, with its checkpoint and rows
 * @param lastIds     replay only: the ids of the last checkpoint's events, acknowledged after the commit;
 *                    if the run died in between they come again and are skipped
 */
record Manifest(String fingerprint, int checkpoint, String position, long rows, String lastTime, boolean complete,
                List<FileEntry> files, List<String> lastIds) {

    static final String NAME = "_manifest.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One committed file. */
    record FileEntry(String path, int checkpoint, long rows) {
    }

    static Manifest empty(String fingerprint) {
        return new Manifest(fingerprint, 0, null, 0, null, false, List.of(), List.of());
    }

    Manifest next(String newPosition, List<FileEntry> added, String newLastTime, boolean reachedEnd,
                  List<String> committedIds) {
        List<FileEntry> all = new ArrayList<>(files);
        all.addAll(added);
        long addedRows = added.stream().mapToLong(FileEntry::rows).sum();
        return new Manifest(fingerprint, checkpoint + (added.isEmpty() ? 0 : 1), newPosition, rows + addedRows,
                newLastTime != null ? newLastTime : lastTime, reachedEnd, all, List.copyOf(committedIds));
    }

    static Manifest read(Path dir) {
        Path file = dir.resolve(NAME);
        if (!Files.exists(file)) {
            return null;
        }
        try {
            JsonNode json = JSON.readTree(file.toFile());
            List<String> ids = new ArrayList<>();
            json.path("lastIds").forEach(id -> ids.add(id.asText()));
            List<FileEntry> files = new ArrayList<>();
            json.path("files").forEach(f -> files.add(new FileEntry(f.path("path").asText(),
                    f.path("checkpoint").asInt(), f.path("rows").asLong())));
            return new Manifest(json.path("fingerprint").asText(), json.path("checkpoint").asInt(),
                    json.path("position").isTextual() ? json.path("position").asText() : null, json.path("rows").asLong(),
                    json.path("lastTime").isTextual() ? json.path("lastTime").asText() : null,
                    json.path("complete").asBoolean(), files, ids);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the manifest " + file, e);
        }
    }

    /** Replaces the directory's manifest atomically (write, fsync, rename). */
    void write(Path dir) {
        ObjectNode json = JSON.createObjectNode().put("fingerprint", fingerprint).put("checkpoint", checkpoint)
                .put("position", position).put("rows", rows).put("lastTime", lastTime).put("complete", complete)
                .put("updated", Instant.now().toString());
        ArrayNode list = json.putArray("files");
        files.forEach(f -> list.addObject().put("path", f.path()).put("checkpoint", f.checkpoint())
                .put("rows", f.rows()));
        lastIds.forEach(json.putArray("lastIds")::add);
        try {
            Path temp = dir.resolve(NAME + ".tmp");
            try (var channel = java.nio.channels.FileChannel.open(temp, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.TRUNCATE_EXISTING, java.nio.file.StandardOpenOption.WRITE)) {
                channel.write(java.nio.ByteBuffer.wrap(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(json)));
                channel.force(true);
            }
            Files.move(temp, dir.resolve(NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the manifest in " + dir, e);
        }
    }
}
