package dev.herald.bench;

import java.util.function.BiConsumer;

/**
 * The command line of a benchmark: {@code --name value} or {@code --name=value} pairs, {@code --help}
 * alone. Each benchmark gives the names it knows to its own handler, which throws
 * {@link IllegalArgumentException} for a name or value it refuses.
 */
final class Args {

    private Args() {
    }

    /**
     * Hands each option to {@code option}, skipping a leading {@code benchmark} name.
     *
     * @return true when {@code --help} or {@code -h} was given (the options after it are not read)
     * @throws IllegalArgumentException for an option without a value, or whatever {@code option} throws
     */
    static boolean parse(String[] args, String benchmark, BiConsumer<String, String> option) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (i == 0 && arg.equals(benchmark)) {
                continue;
            }
            if (arg.equals("--help") || arg.equals("-h")) {
                return true;
            }
            String name = arg;
            String value;
            int equals = arg.indexOf('=');
            if (arg.startsWith("--") && equals > 0) {
                name = arg.substring(0, equals);
                value = arg.substring(equals + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException(arg.startsWith("--") ? arg + " needs a value" : "unknown argument " + arg);
            }
            option.accept(name, value);
        }
        return false;
    }

    /** A whole number above zero, underscores allowed ({@code 20_000}). */
    static int positive(String name, String value) {
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
