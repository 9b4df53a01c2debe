package dev.herald.transport.spi;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Open until closed, closed once. A transport or consumer keeps one and asks it before every operation, so
 * that a closed one refuses work with the same {@link IllegalStateException} everywhere, and its close runs
 * its shutdown exactly once however many threads call it.
 */
public final class Lifecycle {

    private final String what;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * A lifecycle that starts open.
     *
     * @param what the thing it guards, for messages: {@code "the Kafka transport"}
     */
    public Lifecycle(String what) {
        this.what = what;
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Refuses work once closed.
     *
     * @throws IllegalStateException {@code "<what> is closed"}
     */
    public void ensureOpen() {
        if (closed.get()) {
            throw closedError();
        }
    }

    /** The error work gets once closed: {@code "<what> is closed"}. */
    public IllegalStateException closedError() {
        return new IllegalStateException(what + " is closed");
    }

    /**
     * Closes.
     *
     * @return true for the one call that closed it, which then runs the shutdown; false for every other
     */
    public boolean close() {
        return closed.compareAndSet(false, true);
    }

    @Override
    public String toString() {
        return what + (closed.get() ? " (closed)" : "");
    }
}
