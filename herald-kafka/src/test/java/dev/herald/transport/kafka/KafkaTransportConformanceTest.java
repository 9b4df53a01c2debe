package dev.herald.transport.kafka;

import dev.herald.tck.TransportConformanceTest;
import dev.herald.tck.TransportFactory;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The whole conformance kit against a real Kafka broker (a child JVM shared by the test run). Every
 * test opens a new transport on the same broker, so a transport closed and reopened finds its
 * subscriptions, positions and dead letters again, as the factory contract asks.
 */
@ExtendWith(KafkaBroker.class)
@Order(3)
class KafkaTransportConformanceTest extends TransportConformanceTest {

    @Override
    protected TransportFactory factory() {
        return () -> KafkaTransport.open(KafkaBroker.options().build());
    }
}
