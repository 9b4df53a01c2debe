package dev.herald.archive;

import dev.herald.server.config.ConfigException;
import dev.herald.server.config.ServerConfig;
import dev.herald.settings.Setting;
import dev.herald.transport.TypeGlob;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * The settings of the server's continuous archive, declared once here and resolved, validated and
 * printed with the server's ({@link ArchiveExtension#settings()}). Setting {@link #DIR} turns the archive on;
 * the others default to "everything, by day, nothing redacted", as {@code herald export} does.
 */
public final class ArchiveSettings {

    public static final Setting<Optional<Path>> DIR = Setting.optionalPath("archive.dir",
            "Directory of the continuous archive: when set, the server writes every stored event to Parquet files "
                    + "there (the layout of herald export), through its durable subscription herald-archive.");
    public static final Setting<Partitioning> PARTITION = Setting.choice("archive.partition", Partitioning.class,
            "day", "Archive partitions below type=...: day (date=...) or hour (date=.../hour=...).");
    public static final Setting<Duration> COMMIT_INTERVAL = Setting.duration("archive.commit-interval", "1m",
            "How often the archive writes what it has buffered (one Parquet file per type and partition), and so "
                    + "how far it may trail the stream; events are acknowledged only once written.")
            .require(Duration::isPositive, "must be positive");
    public static final Setting<Optional<String>> TYPE = Setting.of("archive.type", "",
            "Archive only events of this type or glob (ci.*); empty for every type.", (text, base) -> {
                if (text.isEmpty()) {
                    return Optional.empty();
                }
                new TypeGlob(text); // refuses a malformed pattern with its rule
                return Optional.of(text);
            });
    public static final Setting<List<String>> PROJECTS = Setting.list("archive.projects", "",
            "Allow-list: archive only events of these projects (comma-separated gids); empty for every project.");
    public static final Setting<List<String>> EXCLUDE_PROJECTS = Setting.list("archive.exclude-projects", "",
            "Deny-list: never archive events of these projects (comma-separated gids).");
    public static final Setting<Redaction> REDACT = Setting.of("archive.redact", "",
            "Fields left out of the archive, as in herald export --redact: comma-separated pointers such as "
                    + "authid,data/user/email.", (text, base) -> Redaction.of(List.of(text.split(",")).stream()
                    .map(String::strip).filter(p -> !p.isEmpty()).toList()));
    public static final Setting<Optional<Path>> REDACT_FILE = Setting.optionalPath("archive.redact-file",
            "A file of further pointers to leave out of the archive, one a line (# starts a comment).");

    /** Every archive setting, in documentation order. */
    public static final List<Setting<?>> SETTINGS = List.of(DIR, PARTITION, COMMIT_INTERVAL, TYPE, PROJECTS,
            EXCLUDE_PROJECTS, REDACT, REDACT_FILE);

    private ArchiveSettings() {
    }

    /**
     * What the configured archive holds, as an export's specification; empty when {@link #DIR} is unset.
     *
     * @throws ConfigException when the redaction file cannot be read or the filters contradict each other
     */
    public static Optional<ExportSpec> spec(ServerConfig config) {
        Optional<Path> dir = config.get(DIR);
        if (dir.isEmpty()) {
            return Optional.empty();
        }
        try {
            Redaction redaction = config.get(REDACT);
            if (config.get(REDACT_FILE).isPresent()) {
                redaction = redaction.and(Redaction.fromFile(config.get(REDACT_FILE).get()));
            }
            return Optional.of(ExportSpec.to(dir.get()).withTypePattern(config.get(TYPE).orElse(null))
                    .withProjects(new LinkedHashSet<>(config.get(PROJECTS)),
                            new LinkedHashSet<>(config.get(EXCLUDE_PROJECTS)))
                    .withRedaction(redaction).withPartitioning(config.get(PARTITION)));
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            throw new ConfigException("the archive (" + DIR + "=" + dir.get() + ") cannot be configured: "
                    + e.getMessage(), e);
        }
    }
}
