package dev.herald.transport.kafka;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit extension sharing one {@link KafkaTestBroker} with every test class of the run: started by
 * the first class that needs it, stopped when the run ends (the root context's store closes it),
 * or at JVM exit at the latest.
 */
final class KafkaBroker implements BeforeAllCallback {

    private static volatile KafkaTestBroker broker;

    @Override
    public void beforeAll(ExtensionContext context) {
        broker = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .computeIfAbsent(KafkaTestBroker.class, type -> {
                    try {
                        return KafkaTestBroker.start();
                    } catch (Exception e) {
                        throw new IllegalStateException("cannot start the test Kafka broker", e);
                    }
                }, KafkaTestBroker.class);
    }

    /** The shared broker; only valid in classes extended with this extension. */
    static KafkaTestBroker broker() {
        if (broker == null) {
            throw new IllegalStateException("no broker: extend the test class with KafkaBroker");
        }
        return broker;
    }

    /** Options for a transport on the shared broker, tuned for tests. */
    static KafkaOptions.Builder options() {
        // 3 partitions: enough for two group members to share, and fewer for the broker to carry.
        return KafkaOptions.builder(broker().bootstrapServers())
                .partitions(3)
                .revokeTimeout(java.time.Duration.ofSeconds(2))
                .commitInterval(java.time.Duration.ofMillis(100));
    }
}
