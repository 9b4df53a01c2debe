package dev.herald.test.badfixture.layering.transport.memory;

/** The in-memory transport, which the core may use. */
public class MemoryLikeTransport {
}
