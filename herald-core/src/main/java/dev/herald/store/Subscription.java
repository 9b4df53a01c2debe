package dev.herald.store;

import dev.herald.dispatch.Dispatcher;
import dev.herald.transport.SubscriptionStats;
import dev.herald.transport.Transport;
import java.time.Duration;

/**
 * A running subscription of an {@link EventStore}. Closing it stops dispatching but keeps its
 * durable position; {@link EventStore#unsubscribe(String)} removes it for good.
 */
public final class Subscription implements AutoCloseable {

    private final String name;
    private final SubscribeOptions options;
    private final Dispatcher dispatcher;
    private final Transport transport;
    private final Duration drainTimeout;
    private final Runnable onClose;

    Subscription(String name, SubscribeOptions options, Dispatcher dispatcher, Transport transport,
                 Duration drainTimeout, Runnable onClose) {
        this.name = name;
        this.options = options;
        this.dispatcher = dispatcher;
        this.transport = transport;
        this.drainTimeout = drainTimeout;
        this.onClose = onClose;
    }

    /** The subscription's durable name. */
    public String name() {
        return name;
    }

    /** The options it was started with. */
    public SubscribeOptions options() {
        return options;
    }

    /** Stops handing events to the handler; calls already running finish. */
    public void pause() {
        dispatcher.pause();
    }

    /** Resumes after {@link #pause()}. */
    public void resume() {
        dispatcher.resume();
    }

    /** Whether it is paused. */
    public boolean isPaused() {
        return dispatcher.isPaused();
    }

    /** Backlog, in-flight and dead-letter counts. */
    public SubscriptionStats stats() {
        return transport.stats(name);
    }

    /** Stops dispatching, draining running handler calls within the store's drain timeout. */
    @Override
    public void close() {
        try {
            dispatcher.stop(drainTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            onClose.run();
        }
    }
}
