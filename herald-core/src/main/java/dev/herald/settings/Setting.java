package dev.herald.settings;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * One setting, declared once: its name, how its text parses into a typed value, its default and its
 * documentation. Everything else is derived from the declaration: the environment variable
 * ({@link #envVar()}), the key in a properties or JSON file, the {@code --set} key, the validation at start
 * and the line in {@code --print-config}.
 *
 * <p>Declare with a factory and add rules with {@link #require}:
 * <pre>{@code
 * Setting<Duration> TIMEOUT = Setting.duration("webhooks.timeout", "10s", "Webhook response timeout.")
 *         .require(Duration::isPositive, "must be positive");
 * }</pre>
 * and read the value from resolved {@link Settings} with {@code settings.get(TIMEOUT)}.
 *
 * @param <T> the type of its value
 */
public final class Setting<T> {

    /** Every environment variable that sets a setting starts with this. */
    public static final String ENV_PREFIX = "HERALD_";

    /**
     * Turns a setting's text into its value.
     *
     * @param <T> the value's type
     */
    @FunctionalInterface
    public interface Parser<T> {
        /**
         * Parses.
         *
         * @param text    the stripped text
         * @param baseDir the directory relative paths are resolved against (the configuration file's), or null
         * @throws IllegalArgumentException whose message states the rule broken, e.g. "must be a whole number"
         */
        T parse(String text, Path baseDir);
    }

    private final String name;
    private final String defaultText;
    private final String doc;
    private final Parser<T> parser;

    private Setting(String name, String defaultText, String doc, Parser<T> parser) {
        if (!name.matches("[a-z][a-z0-9]*(?:[.-][a-z0-9]+)*")) {
            throw new IllegalArgumentException("setting name must be lowercase words joined by . or -: " + name);
        }
        if (doc == null || doc.isBlank()) {
            throw new IllegalArgumentException("setting " + name + " needs a description");
        }
        this.name = name;
        this.defaultText = Objects.requireNonNull(defaultText, "defaultText");
        this.doc = doc;
        this.parser = Objects.requireNonNull(parser, "parser");
    }

    /**
     * A setting of any type.
     *
     * @param name        lowercase, dotted: {@code events.dedup-window}
     * @param defaultText the default, as a user would write it ({@code ""} for none)
     * @param doc         what it does, one or two sentences, for {@code --print-config} and the docs
     * @param parser      text to value
     */
    public static <T> Setting<T> of(String name, String defaultText, String doc, Parser<T> parser) {
        return new Setting<>(name, defaultText, doc, parser);
    }

    /** Free text, stripped. */
    public static Setting<String> text(String name, String defaultText, String doc) {
        return of(name, defaultText, doc, (text, base) -> text);
    }

    /** A whole number (32 bits). */
    public static Setting<Integer> integer(String name, String defaultText, String doc) {
        return of(name, defaultText, doc, (text, base) -> {
            try {
                return Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("must be a whole number");
            }
        });
    }

    /** A decimal number. */
    public static Setting<Double> number(String name, String defaultText, String doc) {
        return of(name, defaultText, doc, (text, base) -> {
            try {
                double value = Double.parseDouble(text);
                if (!Double.isFinite(value)) {
                    throw new NumberFormatException();
                }
                return value;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("must be a number");
            }
        });
    }

    /** {@code true}/{@code false} (also {@code yes}/{@code no}, {@code on}/{@code off}, {@code 1}/{@code 0}). */
    public static Setting<Boolean> bool(String name, String defaultText, String doc) {
        return of(name, defaultText, doc, (text, base) -> switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException("must be true or false");
        });
    }

    /** A duration in {@link Durations}' grammar. */
    public static Setting<Duration> duration(String name, String defaultText, String doc) {
        return of(name, defaultText, doc, (text, base) -> Durations.parse(text));
    }

    /** A size in bytes, in {@link Sizes}' grammar. */
    public static Setting<Long> size(String name, String defaultText, String doc) {
        return of(name, defaultText, doc, (text, base) -> Sizes.parse(text));
    }

    /** A size in bytes that fits an {@code int} (at most 2 GiB - 1). */
    public static Setting<Integer> intSize(String name, String defaultText, String doc) {
        return of(name, defaultText, doc, (text, base) -> {
            long bytes = Sizes.parse(text);
            if (bytes > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("must be less than 2GiB");
            }
            return (int) bytes;
        });
    }

    /** A file or directory; relative paths from a configuration file are resolved against its directory. */
    public static Setting<Path> path(String name, String defaultText, String doc) {
        return of(name, defaultText, doc, Setting::resolve);
    }

    /** A file or directory that may be left unset ({@code ""}, the default). */
    public static Setting<Optional<Path>> optionalPath(String name, String doc) {
        return of(name, "", doc, (text, base) -> text.isEmpty() ? Optional.empty() : Optional.of(resolve(text, base)));
    }

    /** An absolute http or https URL that may be left unset ({@code ""}, the default). */
    public static Setting<Optional<URI>> optionalHttpUrl(String name, String doc) {
        return of(name, "", doc, (text, base) -> {
            if (text.isEmpty()) {
                return Optional.empty();
            }
            try {
                URI uri = new URI(text);
                if (!uri.isAbsolute() || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                    throw new IllegalArgumentException("must be an absolute http or https URL");
                }
                return Optional.of(uri);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("is not a URL: " + e.getReason());
            }
        });
    }

    /** One of an enum's constants, by name, case-insensitive. */
    public static <E extends Enum<E>> Setting<E> choice(String name, Class<E> type, String defaultText, String doc) {
        List<String> names = Arrays.stream(type.getEnumConstants()).map(Enum::name).toList();
        return of(name, defaultText, doc, (text, base) -> {
            try {
                return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("must be " + oneOf(names));
            }
        });
    }

    /** A comma-separated list; blank entries are dropped. */
    public static Setting<List<String>> list(String name, String defaultText, String doc) {
        return of(name, defaultText, doc, (text, base) -> Arrays.stream(text.split(",")).map(String::strip)
                .filter(e -> !e.isEmpty()).toList());
    }

    /**
     * This setting with one more rule its value must keep.
     *
     * @param rule    true when the value is acceptable
     * @param message the rule as an error states it, e.g. {@code "must be positive"}
     */
    public Setting<T> require(Predicate<? super T> rule, String message) {
        Parser<T> parse = parser;
        return new Setting<>(name, defaultText, doc, (text, base) -> {
            T value = parse.parse(text, base);
            if (!rule.test(value)) {
                throw new IllegalArgumentException(message);
            }
            return value;
        });
    }

    /** The key in files and {@code --set}. */
    public String name() {
        return name;
    }

    /** The default as documented ({@code ""} when there is none or it is computed, see {@link #doc()}). */
    public String defaultText() {
        return defaultText;
    }

    /** What it does. */
    public String doc() {
        return doc;
    }

    /** {@code HERALD_} and the name in upper case with {@code .} and {@code -} turned into {@code _}. */
    public String envVar() {
        return ENV_PREFIX + name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** Parses a value of this setting (what {@link Settings} does for every setting at start). */
    public T parse(String text, Path baseDir) {
        return parser.parse(text.strip(), baseDir);
    }

    @Override
    public String toString() {
        return name;
    }

    /** "A, B or C". */
    static String oneOf(List<String> names) {
        if (names.size() == 1) {
            return names.getFirst();
        }
        return names.subList(0, names.size() - 1).stream().collect(Collectors.joining(", "))
                + " or " + names.getLast();
    }

    private static Path resolve(String text, Path base) {
        Path path = Path.of(text);
        return base != null && !path.isAbsolute() ? base.resolve(path).normalize() : path;
    }
}
