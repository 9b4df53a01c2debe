package dev.herald.dispatch;

import io.cloudevents.CloudEvent;
import java.util.List;

/**
 * A subscriber's code for a group of events (GitLab's {@code group_size:}), for work that is
 * cheaper in bulk. Returning acknowledges the whole group. Throwing {@link BatchFailure} retries
 * only the events it names; any other exception retries the whole group.
 */
@FunctionalInterface
public interface BatchHandler {

    /** Handles a group of at most the subscription's group size, in delivery order. */
    void handle(List<CloudEvent> events) throws Exception;
}
