/**
 * The Apache Kafka transport: {@link dev.herald.transport.kafka.KafkaTransport}, configured with
 * {@link dev.herald.transport.kafka.KafkaOptions}. Events travel in the CloudEvents Kafka protocol
 * binding; each subscription is a Kafka consumer group with a dead-letter topic, and its definition
 * lives in a compacted registry topic. See {@code README-kafka.md} for configuration and semantics.
 */
package dev.herald.transport.kafka;
