package dev.herald.filter;

/**
 * Bounds on a CESQL expression accepted from a client, so that no stored filter can make evaluation
 * expensive. They are checked when a filter is read from a request ({@link Filter#fromJson(
 * com.fasterxml.jackson.databind.JsonNode, SqlLimits)}); filters read back from storage use
 * {@link #NONE}, so lowering a limit never makes a stored subscription unreadable.
 *
 * @param maxLength    most characters in one expression
 * @param maxDepth     deepest nesting of parentheses and function calls
 * @param maxWildcards most unescaped {@code %} and {@code _} over all {@code LIKE} patterns of one expression
 */
public record SqlLimits(int maxLength, int maxDepth, int maxWildcards) {

    /** The server's defaults: 4096 characters, depth 64, 32 wildcards. */
    public static final SqlLimits DEFAULTS = new SqlLimits(4096, 64, 32);

    /** No bounds: for expressions already accepted once (stored subscriptions) and in-process filters. */
    public static final SqlLimits NONE = new SqlLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);

    public SqlLimits {
        if (maxLength < 1 || maxDepth < 1 || maxWildcards < 0) {
            throw new IllegalArgumentException("maxLength and maxDepth must be positive, maxWildcards not negative");
        }
    }
}
