package dev.herald.server.auth;

import java.util.regex.Pattern;

/**
 * A glob over event types, as scopes use them: {@code *} matches any run of characters (dots
 * included), everything else matches itself. {@code ci.*} covers {@code ci.pipeline.created};
 * {@code *} covers every type; {@code ci.pipeline.created} covers only itself.
 *
 * @param glob the pattern as written
 */
public record TypePattern(String glob) {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._*-]+");

    public TypePattern {
        if (glob == null || !VALID.matcher(glob).matches()) {
            throw new IllegalArgumentException("'" + glob + "' is not a type pattern: use letters, digits, "
                    + "'.', '_', '-' and '*' (e.g. ci.*, vulnerabilities.new_finding, *)");
        }
    }

    /** Whether the pattern covers {@code type}. */
    public boolean matches(String type) {
        return type != null && matches(glob, 0, type, 0);
    }

    /** Iterative glob matching with backtracking to the last star: linear in practice, no regex per call. */
    private static boolean matches(String glob, int g, String text, int t) {
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
