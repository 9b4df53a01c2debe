package dev.herald.dispatch;

import io.cloudevents.CloudEvent;
import java.time.Duration;

/** Told about every dispatch attempt, for logs and metrics. Must be fast and must not throw. */
@FunctionalInterface
public interface DispatchObserver {

    /**
     * @param subscription the subscription
     * @param event        the event
     * @param attempt      1 for the first delivery
     * @param outcome      how the attempt ended
     * @param duration     time spent in the handler (zero when it was not called)
     * @param error        the handler's failure, or null
     */
    void attempted(String subscription, CloudEvent event, int attempt, Outcome outcome, Duration duration,
                   Throwable error);

    /** An observer that ignores everything. */
    DispatchObserver NONE = (subscription, event, attempt, outcome, duration, error) -> { };
}
