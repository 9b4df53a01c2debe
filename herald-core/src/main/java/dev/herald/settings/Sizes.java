package dev.herald.settings;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes in bytes: a whole number, optionally with {@code KiB}, {@code MiB}, {@code GiB} (powers of 1024) or
 * {@code KB}, {@code MB}, {@code GB} (powers of 1000); units are case-insensitive.
 */
public final class Sizes {

    /** The rule a size must follow, as error messages state it. */
    public static final String RULE = "must be a size in bytes, e.g. 1048576, 512KiB, 1MiB, 10MB";

    private static final Pattern SIZE = Pattern.compile("(\\d{1,18})\\s*([KMG]i?B)?", Pattern.CASE_INSENSITIVE);

    private Sizes() {
    }

    /**
     * Parses a size.
     *
     * @throws IllegalArgumentException with {@link #RULE} as its message when the text is not one
     */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException(RULE);
        }
        long factor = switch (m.group(2) == null ? "" : m.group(2).toUpperCase(Locale.ROOT)) {
            case "KIB" -> 1L << 10;
            case "MIB" -> 1L << 20;
            case "GIB" -> 1L << 30;
            case "KB" -> 1_000;
            case "MB" -> 1_000_000;
            case "GB" -> 1_000_000_000;
            default -> 1;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), factor);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("is too large");
        }
    }
}
