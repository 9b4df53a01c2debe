package dev.herald.transport;

import java.sql.Connection;
import java.util.List;

/**
 * A transport whose publish can join the caller's own database transaction: the transactional
 * outbox. The events are delivered if and only if that transaction commits, so a domain can change
 * its rows and announce the change atomically. Declares {@link Capability#TRANSACTIONS}.
 */
public interface TransactionalTransport extends Transport {

    /**
     * Writes the events with the caller's connection, inside the caller's open transaction. Does not
     * commit or roll back: the caller's commit makes the events visible to subscriptions, its rollback
     * discards them.
     *
     * @param connection a connection to the transport's database with auto-commit off
     * @throws TransportException when the events could not be written (the caller's transaction
     *                            should then be rolled back)
     */
    void publish(String topic, List<EncodedEvent> events, Connection connection);
}
