package dev.herald.test.badfixture.layering.store;

import dev.herald.test.badfixture.layering.transport.kafka.KafkaLikeTransport;
import dev.herald.test.badfixture.layering.transport.memory.MemoryLikeTransport;

/**
 * BREAKS the core rule: a core class that reaches for a transport implementation. Its use of the
 * in-memory transport is allowed, as in Herald.
 */
public class LeakyStore {

    final KafkaLikeTransport kafka = new KafkaLikeTransport();
    final MemoryLikeTransport memory = new MemoryLikeTransport();
}
