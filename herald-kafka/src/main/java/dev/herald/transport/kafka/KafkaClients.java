package dev.herald.transport.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Builds the Kafka clients of one transport. Each client's configuration is layered: Herald's
 * defaults, then the user's common properties, then the user's per-client properties, then the
 * few settings Herald's guarantees rest on, which nothing overrides.
 */
final class KafkaClients {

    /** Room for a 1 MiB event plus headers and batch overhead, with margin (also the topics' max.message.bytes). */
    static final int MAX_RECORD_BYTES = 8 * 1024 * 1024;

    private static final AtomicLong IDS = new AtomicLong();

    private final KafkaOptions options;
    private final String clientIdPrefix;

    KafkaClients(KafkaOptions options) {
        this.options = options;
        Object configured = options.clientProperties().get("client.id");
        this.clientIdPrefix = (configured == null ? "herald" : configured.toString()) + "-" + IDS.incrementAndGet();
    }

    /**
     * The producer every publish, dead letter and registry write goes through. Idempotent with
     * {@code acks=all}: a record acknowledged is on every in-sync replica, and internal retries do
     * not duplicate or reorder records of a partition.
     */
    KafkaProducer<byte[], byte[]> producer() {
        Map<String, Object> config = base();
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_RECORD_BYTES);
        config.putAll(options.producerProperties());
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientIdPrefix + "-producer");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return new KafkaProducer<>(config);
    }

    /**
     * A member of a subscription's consumer group. Offsets are committed by Herald only, for
     * settled records; a partition without a committed offset (one added after the subscription
     * was created) is read from its beginning.
     */
    KafkaConsumer<byte[], byte[]> groupConsumer(String groupId) {
        Map<String, Object> config = base();
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        config.putAll(options.consumerProperties());
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientIdPrefix + "-" + groupId + "-" + IDS.incrementAndGet());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        if ("classic".equalsIgnoreCase(String.valueOf(config.get(ConsumerConfig.GROUP_PROTOCOL_CONFIG)))) {
            // Cooperative rebalancing keeps the partitions a member keeps flowing during a rebalance.
            config.putIfAbsent(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                    "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
        }
        return new KafkaConsumer<>(config);
    }

    /** A group-less reader for the registry and dead-letter topics (assigned partitions, no commits). */
    KafkaConsumer<byte[], byte[]> reader(String purpose) {
        return new KafkaConsumer<>(groupless(clientIdPrefix + "-" + purpose));
    }

    /**
     * A group-less reader of event topics for queries: never creates the topic it asks about, and
     * reads only committed records.
     */
    KafkaConsumer<byte[], byte[]> queryReader() {
        Map<String, Object> config = groupless(clientIdPrefix + "-query-" + IDS.incrementAndGet());
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(config);
    }

    private Map<String, Object> groupless(String clientId) {
        Map<String, Object> config = base();
        config.putAll(options.consumerProperties());
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.remove(ConsumerConfig.GROUP_PROTOCOL_CONFIG);
        config.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return config;
    }

    /** The admin client: topics, group offsets, group deletion. */
    Admin admin() {
        Map<String, Object> config = base();
        config.putAll(options.adminProperties());
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, clientIdPrefix + "-admin");
        return Admin.create(config);
    }

    private Map<String, Object> base() {
        Map<String, Object> config = new HashMap<>(options.clientProperties());
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
        return config;
    }
}
