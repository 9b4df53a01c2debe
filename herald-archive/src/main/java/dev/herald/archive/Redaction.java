package dev.herald.archive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Fields left out of every exported or archived row, by JSON pointer into the structured event:
 * {@code data/user/email} (or {@code /data/user/email}) removes that member of {@code data};
 * {@code authid} removes an attribute's column; a {@code *} segment matches every member of an
 * object or every element of an array ({@code data/commits/*&#47;author/email}). A redacted field is
 * absent: not in {@code data}, and no typed column or struct field is made for it.
 */
public final class Redaction {

    /** Redacts nothing. */
    public static final Redaction NONE = new Redaction(List.of());

    private final List<List<String>> pointers;

    private Redaction(List<List<String>> pointers) {
        this.pointers = List.copyOf(pointers);
    }

    /**
     * Parses pointers.
     *
     * @throws IllegalArgumentException naming the pointer, when one is empty or names no event field
     */
    public static Redaction of(List<String> pointers) {
        List<List<String>> parsed = new ArrayList<>();
        for (String pointer : pointers) {
            String text = pointer.strip();
            if (text.startsWith("/")) {
                text = text.substring(1);
            }
            if (text.isEmpty()) {
                throw new IllegalArgumentException("redaction pointer is empty: '" + pointer + "'");
            }
            List<String> segments = new ArrayList<>();
            for (String segment : text.split("/", -1)) {
                segments.add(segment.replace("~1", "/").replace("~0", "~"));
            }
            if (Columns.ID_ATTRIBUTES.contains(segments.getFirst())) {
                throw new IllegalArgumentException("redaction pointer '" + pointer + "' names "
                        + segments.getFirst() + ", which identifies the event and cannot be redacted");
            }
            if (segments.size() > 1 && !segments.getFirst().equals("data")) {
                throw new IllegalArgumentException("redaction pointer '" + pointer
                        + "' must be an attribute name or start with data/");
            }
            parsed.add(List.copyOf(segments));
        }
        return new Redaction(parsed);
    }

    /** Reads pointers from a file: one a line; blank lines and lines starting with {@code #} are skipped. */
    public static Redaction fromFile(Path file) {
        try {
            return of(Files.readAllLines(file).stream().map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the redaction file " + file, e);
        }
    }

    /** This redaction and another's pointers. */
    public Redaction and(Redaction other) {
        List<List<String>> all = new ArrayList<>(pointers);
        all.addAll(other.pointers);
        return new Redaction(all);
    }

    /** The pointers, as {@code /a/b}. */
    public List<String> pointers() {
        return pointers.stream().map(p -> "/" + String.join("/", p)).toList();
    }

    boolean isEmpty() {
        return pointers.isEmpty();
    }

    boolean redactsData() {
        return pointers.stream().anyMatch(p -> p.size() > 1);
    }

    /** Whether an attribute's column is left out. */
    boolean removesAttribute(String name) {
        return pointers.stream().anyMatch(p -> p.size() == 1 && p.getFirst().equals(name));
    }

    /** Whether the member of {@code data} at this path (no wildcard) is left out. */
    boolean removesDataPath(List<String> path) {
        for (List<String> pointer : pointers) {
            if (pointer.size() - 1 == path.size() && pointer.getFirst().equals("data")) {
                boolean same = true;
                for (int i = 0; i < path.size() && same; i++) {
                    String segment = pointer.get(i + 1);
                    same = segment.equals("*") || segment.equals(path.get(i));
                }
                if (same) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Removes the redacted members from a parsed {@code data} value, in place. */
    void applyToData(JsonNode data) {
        for (List<String> pointer : pointers) {
            if (pointer.size() > 1) {
                remove(data, pointer, 1);
            }
        }
    }

    private static void remove(JsonNode node, List<String> pointer, int index) {
        String segment = pointer.get(index);
        boolean last = index == pointer.size() - 1;
        if (node instanceof ObjectNode object) {
            if (segment.equals("*")) {
                if (last) {
                    object.removeAll();
                } else {
                    object.forEach(child -> remove(child, pointer, index + 1));
                }
            } else if (last) {
                object.remove(segment);
            } else if (object.has(segment)) {
                remove(object.get(segment), pointer, index + 1);
            }
        } else if (node instanceof ArrayNode array) {
            if (segment.equals("*")) {
                if (last) {
                    array.removeAll();
                } else {
                    array.forEach(child -> remove(child, pointer, index + 1));
                }
            } else if (segment.chars().allMatch(Character::isDigit) && !segment.isEmpty()) {
                int i = Integer.parseInt(segment);
                if (i < array.size()) {
                    if (last) {
                        array.remove(i);
                    } else {
                        remove(array.get(i), pointer, index + 1);
                    }
                }
            }
        }
    }
}
