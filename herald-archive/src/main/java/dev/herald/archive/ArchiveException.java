package dev.herald.archive;

/** An export or archive could not read its source or write its files; nothing was committed by the failed step. */
public final class ArchiveException extends RuntimeException {

    public ArchiveException(String message, Throwable cause) {
        super(message, cause);
    }

    public ArchiveException(String message) {
        super(message);
    }
}
