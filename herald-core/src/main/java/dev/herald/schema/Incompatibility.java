package dev.herald.schema;

import java.util.Objects;

/**
 * One reason why a reader schema cannot read everything a writer schema allows.
 *
 * <p>The reason describes what changed going from the writer's schema to the reader's. Under
 * {@link Compatibility#BACKWARD} the writer is the old version, so it reads as "old → new"; under
 * {@link Compatibility#FORWARD} the writer is the new version. Under {@link Compatibility#FULL} each
 * reason starts with {@code backward: } or {@code forward: } to say which direction failed.
 *
 * @param pointer JSON pointer into the reader schema where the problem sits, e.g. {@code /properties/severity}
 *                ({@code ""} is the root)
 * @param reason  what is incompatible, e.g. {@code enum value 'critical' removed}
 */
public record Incompatibility(String pointer, String reason) {

    public Incompatibility {
        Objects.requireNonNull(pointer, "pointer");
        Objects.requireNonNull(reason, "reason");
    }

    /** {@code pointer: reason}, with the root shown as {@code (root)}. */
    @Override
    public String toString() {
        return (pointer.isEmpty() ? "(root)" : pointer) + ": " + reason;
    }
}
