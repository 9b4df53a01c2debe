/**
 * The RabbitMQ transport: {@link dev.herald.transport.rabbitmq.RabbitMqTransport}, configured with
 * {@link dev.herald.transport.rabbitmq.RabbitMqOptions}. Each topic is a fanout exchange with a history stream,
 * each subscription a quorum queue with a delivery limit and a dead-letter queue, and publishes wait for
 * publisher confirms. See {@code README-rabbitmq.md} for configuration and semantics.
 */
package dev.herald.transport.rabbitmq;
