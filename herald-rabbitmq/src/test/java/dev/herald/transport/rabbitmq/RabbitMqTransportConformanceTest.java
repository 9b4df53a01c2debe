package dev.herald.transport.rabbitmq;

import dev.herald.tck.TransportConformanceTest;
import dev.herald.tck.TransportFactory;
import org.junit.jupiter.api.AfterAll;

/**
 * The whole conformance kit against the real RabbitMQ. Every test opens a new transport on the same broker and
 * prefix, so a transport closed and reopened finds its subscriptions and dead letters again, as the factory
 * contract asks.
 */
class RabbitMqTransportConformanceTest extends TransportConformanceTest {

    private static final RabbitMqOptions OPTIONS = RabbitMqTestBroker.options("tck");

    @Override
    protected TransportFactory factory() {
        return () -> RabbitMqTransport.open(OPTIONS);
    }

    @AfterAll
    static void deleteQueuesAndExchanges() throws Exception {
        RabbitMqTestBroker.deleteEverything(OPTIONS);
    }
}
