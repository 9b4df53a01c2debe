package dev.herald.test.badfixture.layering.transport.embedded;

/** A transport that keeps the rules. */
public class EmbeddedLikeLog {
}
