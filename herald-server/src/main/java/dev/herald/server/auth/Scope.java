package dev.herald.server.auth;

import java.util.Locale;
import java.util.Objects;

/**
 * One permission of a token: {@code admin}, {@code metrics}, {@code publish:<type pattern>} or
 * {@code subscribe:<type pattern>} (see {@link TypePattern}).
 *
 * @param kind    what the scope allows
 * @param pattern the event types it covers; null for {@code admin} and {@code metrics}
 */
public record Scope(Kind kind, TypePattern pattern) {

    /** What a scope allows. */
    public enum Kind {
        /** Everything: tokens, schema registration, every type, every project. */
        ADMIN,
        /** Publishing events of the covered types. */
        PUBLISH,
        /** Reading (query, subscriptions, streaming) events of the covered types. */
        SUBSCRIBE,
        /** Reading the server's metrics ({@code GET /metrics}, {@code GET /v1/stats}) and nothing else. */
        METRICS
    }

    /** The admin scope. */
    public static final Scope ADMIN = new Scope(Kind.ADMIN, null);
    /** The metrics scope: for a Prometheus scraper or a dashboard. */
    public static final Scope METRICS = new Scope(Kind.METRICS, null);

    public Scope {
        Objects.requireNonNull(kind, "kind");
        boolean patternless = kind == Kind.ADMIN || kind == Kind.METRICS;
        if (patternless != (pattern == null)) {
            throw new IllegalArgumentException("admin and metrics take no pattern; publish and subscribe need one");
        }
    }

    /**
     * Parses {@code admin}, {@code metrics}, {@code publish:<pattern>} or {@code subscribe:<pattern>}.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static Scope parse(String text) {
        String trimmed = text == null ? "" : text.strip();
        if (trimmed.equalsIgnoreCase("admin")) {
            return ADMIN;
        }
        if (trimmed.equalsIgnoreCase("metrics")) {
            return METRICS;
        }
        int colon = trimmed.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("'" + trimmed + "' is not a scope: use admin, metrics, "
                    + "publish:<type pattern> or subscribe:<type pattern>");
        }
        String kind = trimmed.substring(0, colon).toLowerCase(Locale.ROOT);
        TypePattern pattern = new TypePattern(trimmed.substring(colon + 1));
        return switch (kind) {
            case "publish" -> new Scope(Kind.PUBLISH, pattern);
            case "subscribe" -> new Scope(Kind.SUBSCRIBE, pattern);
            default -> throw new IllegalArgumentException("'" + kind + "' is not a scope kind: use admin, metrics, "
                    + "publish or subscribe");
        };
    }

    /** Whether this scope allows {@code kind} on {@code type}. */
    public boolean allows(Kind wanted, String type) {
        return kind == Kind.ADMIN || (kind == wanted && pattern != null && pattern.matches(type));
    }

    @Override
    public String toString() {
        return pattern == null ? kind.name().toLowerCase(Locale.ROOT) : kind.name().toLowerCase(Locale.ROOT) + ":" + pattern;
    }
}
