package dev.herald.cli.logging;

/**
 * Escapes a value for a log line, so that no value can end the line or close a quoted field: CR and LF
 * become {@code \r} and {@code \n}, every other control character {@code \}{@code uXXXX}, and quotes and
 * backslashes are preceded by a backslash. Request-derived values (paths, ids, header values, error
 * messages quoting them) reach the logs through {@code {}} arguments and key-value pairs; the
 * distribution's Logback pattern renders both through this one function
 * ({@link EscapedMessageConverter}, {@link EscapedKeyValuePairConverter}).
 */
public final class LogValues {

    private LogValues() {
    }

    /** The value with CR, LF, other control characters, quotes and backslashes escaped. */
    public static String escape(String value) {
        StringBuilder out = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            String replacement = switch (c) {
                case '\r' -> "\\r";
                case '\n' -> "\\n";
                case '"' -> "\\\"";
                case '\\' -> "\\\\";
                default -> Character.getType(c) == Character.CONTROL || c == '\u2028' || c == '\u2029'
                        ? String.format("\\u%04x", (int) c) : null;
            };
            if (replacement != null && out == null) {
                out = new StringBuilder(value.length() + 16).append(value, 0, i);
            }
            if (out != null) {
                if (replacement != null) {
                    out.append(replacement);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? value : out.toString();
    }
}
