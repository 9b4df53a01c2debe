package dev.herald.server.auth;

import dev.herald.transport.TypeGlob;

/**
 * A glob over event types, as scopes use them ({@link TypeGlob}'s grammar): {@code *} matches any
 * run of characters (dots included), everything else matches itself. {@code ci.*} covers {@code ci.pipeline.created};
 * {@code *} covers every type; {@code ci.pipeline.created} covers only itself.
 *
 * @param glob the pattern as written
 */
public record TypePattern(String glob) {

    /** @throws IllegalArgumentException when {@code glob} is not in {@link TypeGlob}'s grammar */
    public TypePattern {
        new TypeGlob(glob);
    }

    /** Whether the pattern covers {@code type}. */
    public boolean matches(String type) {
        return TypeGlob.covers(glob, type);
    }

    @Override
    public String toString() {
        return glob;
    }
}
