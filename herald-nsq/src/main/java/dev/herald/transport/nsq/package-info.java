/**
 * The NSQ transport: {@link dev.herald.transport.nsq.NsqTransport}, configured with
 * {@link dev.herald.transport.nsq.NsqOptions}. It speaks nsqd's TCP protocol V2 and HTTP API and nsqlookupd's
 * {@code /lookup} itself; each subscription is an NSQ channel. See {@code README-nsq.md} for configuration and
 * semantics.
 */
package dev.herald.transport.nsq;
