package dev.herald.bench;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code --name value} (or {@code --name=value}) options of one benchmark, checked against the
 * names it accepts. A bad option fails with {@link IllegalArgumentException} naming the option and
 * the rule; the benchmark prints it with its usage and exits with 2.
 */
final class BenchArgs {

    private final Map<String, String> values = new HashMap<>();
    private final boolean help;

    private BenchArgs(boolean help) {
        this.help = help;
    }

    /**
     * Parses {@code args}; {@code --help} or {@code -h} anywhere asks for the usage only.
     *
     * @param names the option names accepted, with their leading dashes
     */
    static BenchArgs parse(String[] args, Set<String> names) {
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                return new BenchArgs(true);
            }
        }
        BenchArgs parsed = new BenchArgs(false);
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            String value = null;
            int equals = name.indexOf('=');
            if (name.startsWith("--") && equals > 0) {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            }
            if (!names.contains(name)) {
                throw new IllegalArgumentException("unknown option " + name);
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(name + " needs a value");
                }
                value = args[++i];
            }
            parsed.values.put(name, value);
        }
        return parsed;
    }

    boolean help() {
        return help;
    }

    /** The option's value, or {@code fallback} when it was not given. */
    String text(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    /** The option as a positive whole number ({@code 20_000} allowed), or {@code fallback}. */
    int positive(String name, int fallback) {
        String value = values.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value.replace("_", ""));
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a positive whole number, got " + value);
    }
}
