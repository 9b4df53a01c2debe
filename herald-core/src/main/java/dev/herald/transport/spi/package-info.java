/**
 * The kit for transport authors: what every pull-based transport needs and should not write again. Not part of
 * the API that applications use ({@code dev.herald.transport} holds the SPI they see through
 * {@code EventStore}); transports build on it.
 *
 * <ul>
 *   <li>{@link dev.herald.transport.spi.PollingConsumer}: the poll loop (argument checks, wait on a
 *       {@link dev.herald.transport.TopicSignals.Signal} until something may be deliverable, deadline) and the
 *       close-once consumer lifecycle that makes "close returned" and "poll returned deliveries" exclusive.</li>
 *   <li>{@link dev.herald.transport.spi.AbstractDelivery} and {@link dev.herald.transport.spi.LeasedDelivery}:
 *       a delivery whose settlement arguments are checked once, for every transport alike.</li>
 *   <li>{@link dev.herald.transport.spi.Lifecycle}: close once, and refuse work once closed with one message.</li>
 * </ul>
 */
package dev.herald.transport.spi;
