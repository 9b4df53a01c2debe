package dev.herald.store;

import io.cloudevents.CloudEvent;

/**
 * A handler that receives the event's {@code data} bound to a Java type (a record, typically), plus
 * the event for its attributes.
 *
 * @param <T> the type the data binds to; unknown fields are ignored so that optional fields added
 *            by a newer schema version do not break the consumer
 */
@FunctionalInterface
public interface DataHandler<T> {

    /** Handles one event. */
    void handle(T data, CloudEvent event) throws Exception;
}
