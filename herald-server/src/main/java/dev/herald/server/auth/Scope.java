package dev.herald.server.auth;

import java.util.Locale;
import java.util.Objects;

/**
 * One permission of a token: {@code admin}, {@code publish:<type pattern>} or
 * {@code subscribe:<type pattern>} (see {@link TypePattern}).
 *
 * @param kind    what the scope allows
 * @param pattern the event types it covers; null for {@code admin}
 */
public record Scope(Kind kind, TypePattern pattern) {

    /** What a scope allows. */
    public enum Kind {
        /** Everything: tokens, schema registration, every type, every project. */
        ADMIN,
        /** Publishing events of the covered types. */
        PUBLISH,
        /** Reading (query, subscriptions, streaming) events of the covered types. */
        SUBSCRIBE
    }

    /** The admin scope. */
    public static final Scope ADMIN = new Scope(Kind.ADMIN, null);

    public Scope {
        Objects.requireNonNull(kind, "kind");
        if ((kind == Kind.ADMIN) != (pattern == null)) {
            throw new IllegalArgumentException("admin takes no pattern; publish and subscribe need one");
        }
    }

    /**
     * Parses {@code admin}, {@code publish:<pattern>} or {@code subscribe:<pattern>}.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static Scope parse(String text) {
        String trimmed = text == null ? "" : text.strip();
        if (trimmed.equalsIgnoreCase("admin")) {
            return ADMIN;
        }
        int colon = trimmed.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("'" + trimmed + "' is not a scope: use admin, publish:<type pattern> "
                    + "or subscribe:<type pattern>");
        }
        String kind = trimmed.substring(0, colon).toLowerCase(Locale.ROOT);
        TypePattern pattern = new TypePattern(trimmed.substring(colon + 1));
        return switch (kind) {
            case "publish" -> new Scope(Kind.PUBLISH, pattern);
            case "subscribe" -> new Scope(Kind.SUBSCRIBE, pattern);
            default -> throw new IllegalArgumentException("'" + kind + "' is not a scope kind: use admin, publish or "
                    + "subscribe");
        };
    }

    /** Whether this scope allows {@code kind} on {@code type}. */
    public boolean allows(Kind wanted, String type) {
        return kind == Kind.ADMIN || (kind == wanted && pattern.matches(type));
    }

    @Override
    public String toString() {
        return kind == Kind.ADMIN ? "admin" : kind.name().toLowerCase(Locale.ROOT) + ":" + pattern;
    }
}
