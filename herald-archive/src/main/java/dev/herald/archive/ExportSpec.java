package dev.herald.archive;

import dev.herald.transport.TypeGlob;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What to export and where: a type pattern, a project allow-list or deny-list, a time range (on the
 * event's {@code time}), a format, redactions, and the output directory.
 *
 * @param out             the directory that receives {@code type=…/date=…/part-N.…} files and the manifest
 * @param typePattern     a type or a glob such as {@code ci.*}; empty for every type
 * @param projects        only these projects (empty: every project)
 * @param excludeProjects never these projects
 * @param since           events whose time is at or after this instant
 * @param until           events whose time is before this instant
 * @param format          Parquet or JSON lines
 * @param redaction       what to leave out of every row
 * @param rowsPerFile     the most rows buffered before a checkpoint writes part files
 * @param partitioning    the partitions below {@code type=…}: by day or by hour
 */
public record ExportSpec(Path out, Optional<String> typePattern, Set<String> projects, Set<String> excludeProjects,
                         Optional<Instant> since, Optional<Instant> until, ArchiveFormat format, Redaction redaction,
                         int rowsPerFile, Partitioning partitioning) {

    /** The default checkpoint size: large enough for efficient Parquet row groups, small enough to resume cheaply. */
    public static final int DEFAULT_ROWS_PER_FILE = 250_000;

    public ExportSpec {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(typePattern, "typePattern");
        projects = Set.copyOf(projects);
        excludeProjects = Set.copyOf(excludeProjects);
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(until, "until");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(redaction, "redaction");
        Objects.requireNonNull(partitioning, "partitioning");
        List<String> problems = new ArrayList<>();
        typePattern.ifPresent(pattern -> {
            try {
                new TypeGlob(pattern);
            } catch (IllegalArgumentException e) {
                problems.add("type: " + e.getMessage());
            }
        });
        if (rowsPerFile < 1) {
            problems.add("rows per file must be at least 1: " + rowsPerFile);
        }
        if (since.isPresent() && until.isPresent() && !since.get().isBefore(until.get())) {
            problems.add("since (" + since.get() + ") must be before until (" + until.get() + ")");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    /** Everything into {@code out} as Parquet, nothing redacted. */
    public static ExportSpec to(Path out) {
        return new ExportSpec(out, Optional.empty(), Set.of(), Set.of(), Optional.empty(), Optional.empty(),
                ArchiveFormat.PARQUET, Redaction.NONE, DEFAULT_ROWS_PER_FILE, Partitioning.DAY);
    }

    public ExportSpec withTypePattern(String pattern) {
        return new ExportSpec(out, Optional.ofNullable(pattern), projects, excludeProjects, since, until, format,
                redaction, rowsPerFile, partitioning);
    }

    public ExportSpec withProjects(Set<String> allowed, Set<String> denied) {
        return new ExportSpec(out, typePattern, allowed, denied, since, until, format, redaction, rowsPerFile,
                partitioning);
    }

    public ExportSpec withTimeRange(Instant from, Instant to) {
        return new ExportSpec(out, typePattern, projects, excludeProjects, Optional.ofNullable(from),
                Optional.ofNullable(to), format, redaction, rowsPerFile, partitioning);
    }

    public ExportSpec withFormat(ArchiveFormat newFormat) {
        return new ExportSpec(out, typePattern, projects, excludeProjects, since, until, newFormat, redaction,
                rowsPerFile, partitioning);
    }

    public ExportSpec withRedaction(Redaction newRedaction) {
        return new ExportSpec(out, typePattern, projects, excludeProjects, since, until, format, newRedaction,
                rowsPerFile, partitioning);
    }

    public ExportSpec withRowsPerFile(int rows) {
        return new ExportSpec(out, typePattern, projects, excludeProjects, since, until, format, redaction, rows,
                partitioning);
    }

    public ExportSpec withPartitioning(Partitioning newPartitioning) {
        return new ExportSpec(out, typePattern, projects, excludeProjects, since, until, format, redaction,
                rowsPerFile, newPartitioning);
    }

    /** Whether an event with these attributes belongs to the export (time compared with the event's time). */
    boolean selects(String type, String project, Instant time) {
        if (typePattern.isPresent() && !TypeGlob.covers(typePattern.get(), type)) {
            return false;
        }
        if (!projects.isEmpty() && (project == null || !projects.contains(project))) {
            return false;
        }
        if (project != null && excludeProjects.contains(project)) {
            return false;
        }
        if (since.isPresent() && time.isBefore(since.get())) {
            return false;
        }
        return until.isEmpty() || time.isBefore(until.get());
    }

    /**
     * What the manifest records, so that a rerun into the same directory with other filters is refused
     * rather than mixing two exports.
     */
    String fingerprint() {
        return "type=" + typePattern.orElse("*") + "; projects=" + new java.util.TreeSet<>(projects)
                + "; exclude=" + new java.util.TreeSet<>(excludeProjects) + "; since=" + since.map(Object::toString)
                .orElse("") + "; until=" + until.map(Object::toString).orElse("") + "; format=" + format
                + "; redact=" + redaction.pointers()
                + (partitioning == Partitioning.DAY ? ""
                : "; partition=" + partitioning.name().toLowerCase(java.util.Locale.ROOT));
    }
}
