package dev.herald.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code --name value} (or {@code --name=value}) options of one benchmark, checked against the names
 * it declares: an unknown option or a value that breaks its rule is an {@link IllegalArgumentException}
 * naming the option, which the benchmark turns into exit code 2 with its usage.
 */
final class BenchArgs {

    private final Map<String, List<String>> values;
    private final boolean help;

    private BenchArgs(Map<String, List<String>> values, boolean help) {
        this.values = values;
        this.help = help;
    }

    /**
     * Reads {@code args}, skipping a leading {@code benchmark} name.
     *
     * @param known the option names the benchmark takes, each with its leading {@code --}
     */
    static BenchArgs parse(String benchmark, String[] args, Set<String> known) {
        Map<String, List<String>> values = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (i == 0 && arg.equals(benchmark)) {
                continue;
            }
            if (arg.equals("--help") || arg.equals("-h")) {
                return new BenchArgs(values, true);
            }
            int equals = arg.indexOf('=');
            String name = arg.startsWith("--") && equals > 0 ? arg.substring(0, equals) : arg;
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown argument " + name);
            }
            if (equals > 0 && arg.startsWith("--")) {
                values.computeIfAbsent(name, n -> new ArrayList<>()).add(arg.substring(equals + 1));
            } else if (i + 1 < args.length) {
                values.computeIfAbsent(name, n -> new ArrayList<>()).add(args[++i]);
            } else {
                throw new IllegalArgumentException(name + " needs a value");
            }
        }
        return new BenchArgs(values, false);
    }

    /** Whether {@code --help} was asked for. */
    boolean help() {
        return help;
    }

    /** A positive integer option. */
    int positive(String name, int otherwise) {
        String value = text(name, null);
        if (value == null) {
            return otherwise;
        }
        try {
            int n = Integer.parseInt(value.replace("_", ""));
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a positive integer, not '" + value + "'");
    }

    /** A text option (its last value when given more than once). */
    String text(String name, String otherwise) {
        List<String> given = values.get(name);
        return given == null ? otherwise : given.getLast();
    }

    /** Every value of a repeatable option, in order. */
    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    /** A text option that must be one of {@code choices}. */
    String choice(String name, String otherwise, Set<String> choices) {
        String value = text(name, otherwise);
        if (!choices.contains(value)) {
            throw new IllegalArgumentException(name + " must be one of " + choices + ", not '" + value + "'");
        }
        return value;
    }
}
