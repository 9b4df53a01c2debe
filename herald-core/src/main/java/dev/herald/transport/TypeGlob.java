package dev.herald.transport;

import java.util.regex.Pattern;

/**
 * A glob over event types: {@code *} matches any run of characters (dots included), everything else
 * matches itself. {@code ci.*} covers {@code ci.pipeline.created}; {@code *} covers every type;
 * {@code ci.pipeline.created} covers only itself. Scopes, queries and transports that filter types
 * natively all use this one grammar.
 *
 * @param glob the pattern as written
 */
public record TypeGlob(String glob) {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._*-]+");

    /** @throws IllegalArgumentException when {@code glob} uses other characters than the grammar's */
    public TypeGlob {
        if (glob == null || !VALID.matcher(glob).matches()) {
            throw new IllegalArgumentException("'" + glob + "' is not a type pattern: use letters, digits, "
                    + "'.', '_', '-' and '*' (e.g. ci.*, vulnerabilities.new_finding, *)");
        }
    }

    /** Whether the glob is a plain type (no {@code *}). */
    public boolean isExact() {
        return glob.indexOf('*') < 0;
    }

    /** Whether the glob covers {@code type}. */
    public boolean matches(String type) {
        return covers(glob, type);
    }

    /**
     * Whether {@code glob} (assumed valid) covers {@code text}: iterative matching with backtracking
     * to the last star, linear in practice, no regex per call.
     */
    public static boolean covers(String glob, String text) {
        if (text == null) {
            return false;
        }
        int g = 0;
        int t = 0;
        int starGlob = -1;
        int starText = -1;
        while (t < text.length()) {
            if (g < glob.length() && glob.charAt(g) == '*') {
                starGlob = g++;
                starText = t;
            } else if (g < glob.length() && glob.charAt(g) == text.charAt(t)) {
                g++;
                t++;
            } else if (starGlob >= 0) {
                g = starGlob + 1;
                t = ++starText;
            } else {
                return false;
            }
        }
        while (g < glob.length() && glob.charAt(g) == '*') {
            g++;
        }
        return g == glob.length();
    }

    @Override
    public String toString() {
        return glob;
    }
}
