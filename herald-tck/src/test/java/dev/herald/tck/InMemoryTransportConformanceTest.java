package dev.herald.tck;

import dev.herald.transport.memory.InMemoryBroker;

/**
 * The kit against the in-memory transport. Every test gets a new transport on one shared broker,
 * so closing a transport and opening another through the factory sees the same data, as the
 * factory contract asks. The transport does not declare {@code DURABLE}: the durability group is
 * skipped (nothing in memory survives a process restart).
 */
class InMemoryTransportConformanceTest extends TransportConformanceTest {

    private static final InMemoryBroker BROKER = new InMemoryBroker();

    @Override
    protected TransportFactory factory() {
        return BROKER::connect;
    }
}
