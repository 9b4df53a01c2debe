/**
 * The transport conformance kit: abstract JUnit tests every {@link dev.herald.transport.Transport}
 * runs, as specified in {@code TCK.md}.
 *
 * <p>Entry point: extend {@link dev.herald.tck.TransportConformanceTest} and return a
 * {@link dev.herald.tck.TransportFactory}. The tests live in test interfaces, one per group
 * ({@link dev.herald.tck.PublishConformance}, {@link dev.herald.tck.RedeliveryConformance},
 * {@link dev.herald.tck.ConsumerConformance} for what every transport must do; one per capability
 * for the rest). Helpers keep tests short: {@link dev.herald.tck.Collector} (a consumer loop on a
 * virtual thread), {@link dev.herald.tck.DeliveryLog} (what every consumer was handed and decided,
 * in one total order), {@link dev.herald.tck.TestEvents} and {@link dev.herald.tck.EventAssertions}.
 *
 * <p>System properties: {@code herald.tck.stress} multiplies counts (default 1),
 * {@code herald.tck.timeout} bounds every wait in seconds (default 60).
 */
package dev.herald.tck;
