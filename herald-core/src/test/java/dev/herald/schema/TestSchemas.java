package dev.herald.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small helpers for writing schema catalogs and JSON in tests. */
final class TestSchemas {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TestSchemas() {
    }

    /** Parses JSON text; single quotes are accepted for readability and turned into double quotes. */
    static JsonNode json(String text) {
        try {
            return JSON.readTree(text.replace('\'', '"'));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /** Writes {@code content} to {@code dir/relative}, creating directories. */
    static Path write(Path dir, String relative, String content) {
        try {
            Path file = dir.resolve(relative);
            Files.createDirectories(file.getParent());
            return Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode read(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fat-event example from the proposal that defined Herald's event shape (a test resource). */
    static JsonNode fatEventExample() {
        try (var in = TestSchemas.class.getResourceAsStream("/fixtures/fat-event-example.json")) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
