package dev.herald.archive;

/** How exported rows are written. */
public enum ArchiveFormat {
    /** Columnar Parquet files (zstd), with typed columns from the schemas. */
    PARQUET("parquet"),
    /** JSON lines: one object per row with the same columns. */
    JSONL("jsonl");

    private final String extension;

    ArchiveFormat(String extension) {
        this.extension = extension;
    }

    /** The file name extension, also the option value ({@code parquet}, {@code jsonl}). */
    public String extension() {
        return extension;
    }
}
