package dev.herald.dispatch;

import java.util.Set;

/**
 * Thrown by a {@link BatchHandler} when only some events of a group failed: those are retried, the
 * others acknowledged, so one bad event does not make its whole group run again.
 */
public class BatchFailure extends Exception {

    private static final long serialVersionUID = 1L;

    private final Set<String> failedEventIds;

    /**
     * @param failedEventIds ids of the events to retry
     * @param cause          why they failed (recorded as the error of those attempts)
     */
    public BatchFailure(Set<String> failedEventIds, Throwable cause) {
        super(cause == null ? "events failed: " + failedEventIds : cause.toString(), cause);
        this.failedEventIds = Set.copyOf(failedEventIds);
    }

    /** The ids of the events that failed. */
    public Set<String> failedEventIds() {
        return failedEventIds;
    }
}
