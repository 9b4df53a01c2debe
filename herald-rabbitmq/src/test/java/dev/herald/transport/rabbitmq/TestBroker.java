package dev.herald.transport.rabbitmq;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The RabbitMQ the tests use: {@code herald.rabbitmq.uri}, else the local broker with the guest user. Each test
 * class gets its own name prefix, so its exchanges and queues never meet another run's.
 */
final class TestBroker {

    private TestBroker() {
    }

    /** Options on the test broker under a fresh prefix. */
    static RabbitMqOptions options(String what) {
        byte[] random = new byte[4];
        ThreadLocalRandom.current().nextBytes(random);
        RabbitMqOptions options = RabbitMqOptions.defaults().withPrefix("test-" + what + "-" + HexFormat.of().formatHex(random));
        String uri = System.getProperty("herald.rabbitmq.uri");
        return uri == null ? options : options.withUri(java.net.URI.create(uri));
    }
}
