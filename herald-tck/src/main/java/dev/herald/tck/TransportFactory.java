package dev.herald.tck;

import dev.herald.transport.Transport;

/**
 * Opens transports on one shared durable storage: {@code open()} after closing a previous transport
 * sees the same data (topics, subscriptions with their positions, dead letters).
 *
 * <p>The kit opens one transport before each test and closes it after; tests that restart the
 * transport close it and open another through this factory. Tests use fresh topic and subscription
 * names, so one storage can be shared by the whole kit.
 */
@FunctionalInterface
public interface TransportFactory {

    /** Opens a transport on the shared storage. */
    Transport open() throws Exception;
}
