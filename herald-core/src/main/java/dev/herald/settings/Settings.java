package dev.herald.settings;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Resolved values of a set of declared {@link Setting}s, each with its origin. Every value is parsed when
 * the settings are resolved, so a bad value fails at start (all of them in one error), not at first use.
 *
 * <p>{@link #load} resolves, highest precedence first: flags, {@code HERALD_*} environment variables
 * ({@link Setting#envVar()}), a configuration file, and the declared defaults. The file is a Java properties
 * file or, when its name ends in {@code .json}, a JSON object whose nested objects stand for dotted keys.
 * Relative paths in the file are resolved against the file's directory. An unknown key anywhere is an error
 * that suggests the nearest known one: a typo must not silently fall back to a default.
 */
public final class Settings {

    /**
     * A value as given.
     *
     * @param text    the text, stripped
     * @param origin  where it came from: {@code flag for port}, {@code environment variable HERALD_PORT}, …
     * @param baseDir the directory relative paths are resolved against, or null for the working directory
     */
    public record Value(String text, String origin, Path baseDir) {
    }

    /**
     * One line of {@code --print-config}.
     *
     * @param setting the setting
     * @param text    its effective value, as text
     * @param origin  where it came from, {@code default} when not set
     */
    public record Described(Setting<?> setting, String text, String origin) {
    }

    private static final String DEFAULT = "default";

    private final Map<String, Setting<?>> declared;
    private final Map<String, Value> given;
    private final Map<String, Object> parsed = new LinkedHashMap<>();

    private Settings(Map<String, Setting<?>> declared, Map<String, Value> given) {
        this.declared = declared;
        this.given = Map.copyOf(given);
        List<String> problems = new ArrayList<>();
        for (Setting<?> setting : declared.values()) {
            Value value = this.given.get(setting.name());
            String text = value == null ? setting.defaultText() : value.text();
            try {
                parsed.put(setting.name(), setting.parse(text, value == null ? null : value.baseDir()));
            } catch (IllegalArgumentException e) {
                problems.add(describeProblem(setting, e.getMessage()));
            }
        }
        if (!problems.isEmpty()) {
            throw new SettingsException(String.join("; ", problems));
        }
    }

    /**
     * The defaults overridden by {@code values} (keys are setting names); for tests and embedding.
     *
     * @throws SettingsException naming every unknown or bad setting
     */
    public static Settings of(Collection<? extends Setting<?>> declared, Map<String, String> values) {
        Map<String, Setting<?>> byName = byName(declared);
        Map<String, Value> given = new LinkedHashMap<>();
        values.forEach((name, text) -> put(byName, given, name, text, "setting " + name, null));
        return new Settings(byName, given);
    }

    /**
     * Resolves flags, environment, file and defaults.
     *
     * @param declared every setting there is
     * @param file     the configuration file, or null for none
     * @param env      the environment ({@link System#getenv()}); only the declared settings' variables are read
     * @param flags    values given on the command line, by setting name
     * @throws SettingsException naming every unknown or bad setting and its origin, or an unreadable file
     */
    public static Settings load(Collection<? extends Setting<?>> declared, Path file, Map<String, String> env,
                                Map<String, String> flags) {
        Map<String, Setting<?>> byName = byName(declared);
        Map<String, Value> given = new LinkedHashMap<>();
        if (file != null) {
            Path base = file.toAbsolutePath().getParent();
            SettingsFile.read(file).forEach((name, text) -> put(byName, given, name, text, "file " + file, base));
        }
        for (Setting<?> setting : byName.values()) {
            String text = env.get(setting.envVar());
            if (text != null && !text.isEmpty()) {
                put(byName, given, setting.name(), text, "environment variable " + setting.envVar(), null);
            }
        }
        flags.forEach((name, text) -> put(byName, given, name, text, "flag for " + name, null));
        return new Settings(byName, given);
    }

    /** These settings with one value changed (for example the port once it is known). */
    public Settings with(Setting<?> setting, String text) {
        Map<String, Value> changed = new LinkedHashMap<>(given);
        put(declared, changed, setting.name(), text, "setting " + setting.name(), null);
        return new Settings(declared, changed);
    }

    /**
     * The value of a setting.
     *
     * @throws IllegalArgumentException when the setting is not among the declared ones
     */
    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting) {
        if (declared.get(setting.name()) != setting) {
            throw new IllegalArgumentException("setting " + setting.name() + " is not declared here");
        }
        return (T) parsed.get(setting.name());
    }

    /** Whether a value was given (by file, environment or flag) rather than defaulted. */
    public boolean isSet(Setting<?> setting) {
        return given.containsKey(setting.name());
    }

    /** Where the value came from: {@code default}, {@code file …}, {@code environment variable …}, {@code flag for …}. */
    public String origin(Setting<?> setting) {
        Value value = given.get(setting.name());
        return value == null ? DEFAULT : value.origin();
    }

    /** The text of the value, as given or defaulted. */
    public String text(Setting<?> setting) {
        Value value = given.get(setting.name());
        return value == null ? setting.defaultText() : value.text();
    }

    /** An error about a setting's value, naming the setting, the value and its origin. */
    public SettingsException invalid(Setting<?> setting, String problem) {
        return new SettingsException(describeProblem(setting, problem));
    }

    /** Every declared setting, in declaration order. */
    public Collection<Setting<?>> declared() {
        return declared.values();
    }

    /** Every setting's effective value and origin, in declaration order; paths are shown resolved. */
    public List<Described> describe() {
        return declared.values().stream().map(s -> {
            Value value = given.get(s.name());
            String text = value != null && value.baseDir() != null && parsed.get(s.name()) instanceof Path path
                    ? path.toString() : text(s);
            return new Described(s, text, origin(s));
        }).toList();
    }

    private String describeProblem(Setting<?> setting, String problem) {
        return "setting " + setting.name() + " = '" + text(setting) + "' (" + origin(setting) + ") " + problem;
    }

    private static Map<String, Setting<?>> byName(Collection<? extends Setting<?>> declared) {
        Map<String, Setting<?>> byName = new LinkedHashMap<>();
        for (Setting<?> setting : declared) {
            if (byName.putIfAbsent(setting.name(), setting) != null) {
                throw new IllegalArgumentException("setting " + setting.name() + " is declared twice");
            }
        }
        return byName;
    }

    private static void put(Map<String, Setting<?>> declared, Map<String, Value> given, String name, String text,
                            String origin, Path baseDir) {
        if (!declared.containsKey(name)) {
            throw new SettingsException("unknown setting '" + name + "' (" + origin + ")"
                    + Suggestion.nearest(name, declared.keySet()).map(s -> "; did you mean '" + s + "'?").orElse("")
                    + "; known settings: " + String.join(", ", declared.keySet()));
        }
        given.put(name, new Value(Objects.requireNonNull(text, name).strip(), origin, baseDir));
    }
}
