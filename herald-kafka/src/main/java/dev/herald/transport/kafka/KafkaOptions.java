package dev.herald.transport.kafka;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How {@link KafkaTransport} connects to a cluster and lays out its topics. Immutable; build one with
 * {@link #builder(String)} or {@link #fromProperties(Map)}.
 *
 * <p><b>Client properties.</b> Any Kafka client property passes through: {@link Builder#clientProperty}
 * applies to the producer, the consumers and the admin client (security settings belong there:
 * {@code security.protocol}, {@code sasl.mechanism}, {@code sasl.jaas.config},
 * {@code ssl.truststore.location}, …); {@link Builder#producerProperty}, {@link Builder#consumerProperty}
 * and {@link Builder#adminProperty} apply to one client only and win over the common ones. A few
 * settings carry Herald's guarantees and cannot be overridden (see {@link KafkaClients}): the
 * producer is idempotent with {@code acks=all}, consumers never auto-commit, and every client
 * reads and writes raw bytes.
 */
public final class KafkaOptions {

    /** How an event is laid out in a Kafka record, per the CloudEvents Kafka protocol binding. */
    public enum Encoding {
        /** Attributes in {@code ce_} headers, the record value is the event data as is (default). */
        BINARY,
        /** The whole event as one JSON document ({@code application/cloudevents+json}) in the value. */
        STRUCTURED
    }

    /** Kafka's rule for topic names; subscription names become part of topic names too. */
    static final Pattern LEGAL_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,200}");

    private final String bootstrapServers;
    private final Map<String, Object> clientProperties;
    private final Map<String, Object> producerProperties;
    private final Map<String, Object> consumerProperties;
    private final Map<String, Object> adminProperties;
    private final int partitions;
    private final short replicationFactor;
    private final Map<String, String> topicConfigs;
    private final Map<String, String> deadLetterTopicConfigs;
    private final Encoding encoding;
    private final String registryTopic;
    private final String groupIdPrefix;
    private final String deadLetterSuffix;
    private final int maxBufferedPerPartition;
    private final Duration commitInterval;
    private final Duration revokeTimeout;
    private final Duration requestTimeout;
    private final Duration queryTimeSkew;

    private KafkaOptions(Builder builder) {
        this.bootstrapServers = builder.bootstrapServers;
        this.clientProperties = Map.copyOf(builder.clientProperties);
        this.producerProperties = Map.copyOf(builder.producerProperties);
        this.consumerProperties = Map.copyOf(builder.consumerProperties);
        this.adminProperties = Map.copyOf(builder.adminProperties);
        this.partitions = builder.partitions;
        this.replicationFactor = builder.replicationFactor;
        this.topicConfigs = Map.copyOf(builder.topicConfigs);
        this.deadLetterTopicConfigs = Map.copyOf(builder.deadLetterTopicConfigs);
        this.encoding = builder.encoding;
        this.registryTopic = builder.registryTopic;
        this.groupIdPrefix = builder.groupIdPrefix;
        this.deadLetterSuffix = builder.deadLetterSuffix;
        this.maxBufferedPerPartition = builder.maxBufferedPerPartition;
        this.commitInterval = builder.commitInterval;
        this.revokeTimeout = builder.revokeTimeout;
        this.requestTimeout = builder.requestTimeout;
        this.queryTimeSkew = builder.queryTimeSkew;
    }

    /** A builder for a cluster reached through {@code bootstrapServers} ({@code host:port,host:port}). */
    public static Builder builder(String bootstrapServers) {
        return new Builder(bootstrapServers);
    }

    /**
     * Options from flat properties, as a configuration file would hold them:
     * {@code bootstrap.servers}; Herald's own keys under {@code herald.} ({@code herald.partitions},
     * {@code herald.replication.factor}, {@code herald.encoding}, {@code herald.registry.topic},
     * {@code herald.group.id.prefix}, {@code herald.dlq.suffix}, {@code herald.max.buffered.per.partition},
     * {@code herald.commit.interval.ms}, {@code herald.revoke.timeout.ms}, {@code herald.request.timeout.ms},
     * {@code herald.query.time.skew.ms},
     * {@code herald.topic.<config>} and {@code herald.dlq.topic.<config>} for topic configs);
     * {@code producer.}, {@code consumer.} and {@code admin.} prefixes for one client; every other key
     * is a client property for all three clients.
     */
    public static KafkaOptions fromProperties(Map<String, String> properties) {
        String servers = properties.get("bootstrap.servers");
        if (servers == null) {
            throw new IllegalArgumentException("bootstrap.servers is required");
        }
        Builder builder = builder(servers);
        properties.forEach((key, value) -> {
            if (key.equals("bootstrap.servers")) {
                return;
            }
            if (key.startsWith("herald.topic.")) {
                builder.topicConfig(key.substring("herald.topic.".length()), value);
            } else if (key.startsWith("herald.dlq.topic.")) {
                builder.deadLetterTopicConfig(key.substring("herald.dlq.topic.".length()), value);
            } else if (key.startsWith("herald.")) {
                builder.heraldProperty(key.substring("herald.".length()), value);
            } else if (key.startsWith("producer.")) {
                builder.producerProperty(key.substring("producer.".length()), value);
            } else if (key.startsWith("consumer.")) {
                builder.consumerProperty(key.substring("consumer.".length()), value);
            } else if (key.startsWith("admin.")) {
                builder.adminProperty(key.substring("admin.".length()), value);
            } else {
                builder.clientProperty(key, value);
            }
        });
        return builder.build();
    }

    /** {@code host:port,…} of the cluster. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Client properties for every client. */
    public Map<String, Object> clientProperties() {
        return clientProperties;
    }

    /** Client properties for the producer only. */
    public Map<String, Object> producerProperties() {
        return producerProperties;
    }

    /** Client properties for consumers only. */
    public Map<String, Object> consumerProperties() {
        return consumerProperties;
    }

    /** Client properties for the admin client only. */
    public Map<String, Object> adminProperties() {
        return adminProperties;
    }

    /** Partitions of the event topics Herald creates (default 6). */
    public int partitions() {
        return partitions;
    }

    /** Replication factor of the topics Herald creates; -1 (default) means the broker's default. */
    public short replicationFactor() {
        return replicationFactor;
    }

    /** Topic configs of the event topics Herald creates (e.g. {@code retention.ms}, {@code min.insync.replicas}). */
    public Map<String, String> topicConfigs() {
        return topicConfigs;
    }

    /** Topic configs of dead-letter topics; by default they are kept forever ({@code retention.ms=-1}). */
    public Map<String, String> deadLetterTopicConfigs() {
        return deadLetterTopicConfigs;
    }

    /** Binary (default) or structured mode. Readers understand both whatever this says. */
    public Encoding encoding() {
        return encoding;
    }

    /** The compacted topic holding subscription definitions (default {@code __herald_subscriptions}). */
    public String registryTopic() {
        return registryTopic;
    }

    /** Consumer group of subscription {@code s} is this prefix followed by {@code s} (default {@code herald.}). */
    public String groupIdPrefix() {
        return groupIdPrefix;
    }

    /** Dead-letter topic of subscription {@code s} is {@code s} followed by this (default {@code .dlq}). */
    public String deadLetterSuffix() {
        return deadLetterSuffix;
    }

    /** Unsettled records buffered per partition before its fetching pauses (default 1000). */
    public int maxBufferedPerPartition() {
        return maxBufferedPerPartition;
    }

    /** How often a consumer group member commits what was settled (default 200 ms). */
    public Duration commitInterval() {
        return commitInterval;
    }

    /** How long a rebalance waits for in-flight deliveries of revoked partitions (default 10 s). */
    public Duration revokeTimeout() {
        return revokeTimeout;
    }

    /** Limit of admin and registry calls (default 30 s). */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /**
     * How far before a query's {@code time} lower bound its scan starts (default 10 s). Kafka finds
     * offsets by the records' store time ({@code LogAppendTime}), a query filters on the events'
     * {@code time}: an event stamped later than it was stored, by more than this (a producer clock
     * running ahead), is not found by a query from its time. Larger is safer and scans more.
     */
    public Duration queryTimeSkew() {
        return queryTimeSkew;
    }

    /** The consumer group of a subscription. */
    String groupId(String subscription) {
        return groupIdPrefix + subscription;
    }

    /** The dead-letter topic of a subscription. */
    String deadLetterTopic(String subscription) {
        return subscription + deadLetterSuffix;
    }

    @Override
    public String toString() {
        // Client properties may hold secrets (sasl.jaas.config, ssl passwords): names only.
        return "KafkaOptions[" + bootstrapServers + ", " + encoding + ", partitions=" + partitions
                + ", client properties " + clientProperties.keySet() + "]";
    }

    /** Builds {@link KafkaOptions}; every setter returns the builder. */
    public static final class Builder {
        private final String bootstrapServers;
        private final Map<String, Object> clientProperties = new LinkedHashMap<>();
        private final Map<String, Object> producerProperties = new LinkedHashMap<>();
        private final Map<String, Object> consumerProperties = new LinkedHashMap<>();
        private final Map<String, Object> adminProperties = new LinkedHashMap<>();
        private int partitions = 6;
        private short replicationFactor = -1;
        private final Map<String, String> topicConfigs = new LinkedHashMap<>();
        private final Map<String, String> deadLetterTopicConfigs = new LinkedHashMap<>(Map.of("retention.ms", "-1"));
        private Encoding encoding = Encoding.BINARY;
        private String registryTopic = "__herald_subscriptions";
        private String groupIdPrefix = "herald.";
        private String deadLetterSuffix = ".dlq";
        private int maxBufferedPerPartition = 1000;
        private Duration commitInterval = Duration.ofMillis(200);
        private Duration revokeTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration queryTimeSkew = Duration.ofSeconds(10);

        private Builder(String bootstrapServers) {
            this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            if (bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("bootstrapServers must not be blank");
            }
        }

        /** A Kafka client property for the producer, the consumers and the admin client. */
        public Builder clientProperty(String name, Object value) {
            clientProperties.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** A Kafka producer property. */
        public Builder producerProperty(String name, Object value) {
            producerProperties.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** A Kafka consumer property. */
        public Builder consumerProperty(String name, Object value) {
            consumerProperties.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** A Kafka admin client property. */
        public Builder adminProperty(String name, Object value) {
            adminProperties.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** See {@link KafkaOptions#partitions()}. */
        public Builder partitions(int partitions) {
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions must be positive: " + partitions);
            }
            this.partitions = partitions;
            return this;
        }

        /** See {@link KafkaOptions#replicationFactor()}. */
        public Builder replicationFactor(int replicationFactor) {
            if (replicationFactor == 0 || replicationFactor < -1 || replicationFactor > Short.MAX_VALUE) {
                throw new IllegalArgumentException("replication factor must be positive or -1: " + replicationFactor);
            }
            this.replicationFactor = (short) replicationFactor;
            return this;
        }

        /** See {@link KafkaOptions#topicConfigs()}. */
        public Builder topicConfig(String name, String value) {
            topicConfigs.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** See {@link KafkaOptions#deadLetterTopicConfigs()}. */
        public Builder deadLetterTopicConfig(String name, String value) {
            deadLetterTopicConfigs.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** See {@link KafkaOptions#encoding()}. */
        public Builder encoding(Encoding encoding) {
            this.encoding = Objects.requireNonNull(encoding, "encoding");
            return this;
        }

        /** See {@link KafkaOptions#registryTopic()}. */
        public Builder registryTopic(String topic) {
            this.registryTopic = legal(topic, "registry topic");
            return this;
        }

        /** See {@link KafkaOptions#groupIdPrefix()}. */
        public Builder groupIdPrefix(String prefix) {
            this.groupIdPrefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /** See {@link KafkaOptions#deadLetterSuffix()}. */
        public Builder deadLetterSuffix(String suffix) {
            Objects.requireNonNull(suffix, "suffix");
            if (suffix.isEmpty() || !LEGAL_NAME.matcher(suffix).matches()) {
                throw new IllegalArgumentException("illegal dead-letter suffix: " + suffix);
            }
            this.deadLetterSuffix = suffix;
            return this;
        }

        /** See {@link KafkaOptions#maxBufferedPerPartition()}. */
        public Builder maxBufferedPerPartition(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxBufferedPerPartition must be positive: " + max);
            }
            this.maxBufferedPerPartition = max;
            return this;
        }

        /** See {@link KafkaOptions#commitInterval()}. */
        public Builder commitInterval(Duration interval) {
            this.commitInterval = positive(interval, "commitInterval");
            return this;
        }

        /** See {@link KafkaOptions#revokeTimeout()}. */
        public Builder revokeTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "revokeTimeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("revokeTimeout must not be negative: " + timeout);
            }
            this.revokeTimeout = timeout;
            return this;
        }

        /** See {@link KafkaOptions#requestTimeout()}. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "requestTimeout");
            return this;
        }

        /** See {@link KafkaOptions#queryTimeSkew()}; zero seeks by the query's time exactly. */
        public Builder queryTimeSkew(Duration skew) {
            Objects.requireNonNull(skew, "queryTimeSkew");
            if (skew.isNegative()) {
                throw new IllegalArgumentException("queryTimeSkew must not be negative: " + skew);
            }
            this.queryTimeSkew = skew;
            return this;
        }

        /** The options. */
        public KafkaOptions build() {
            return new KafkaOptions(this);
        }

        private void heraldProperty(String key, String value) {
            switch (key) {
                case "partitions" -> partitions(Integer.parseInt(value));
                case "replication.factor" -> replicationFactor(Integer.parseInt(value));
                case "encoding" -> encoding(Encoding.valueOf(value.toUpperCase(java.util.Locale.ROOT)));
                case "registry.topic" -> registryTopic(value);
                case "group.id.prefix" -> groupIdPrefix(value);
                case "dlq.suffix" -> deadLetterSuffix(value);
                case "max.buffered.per.partition" -> maxBufferedPerPartition(Integer.parseInt(value));
                case "commit.interval.ms" -> commitInterval(Duration.ofMillis(Long.parseLong(value)));
                case "revoke.timeout.ms" -> revokeTimeout(Duration.ofMillis(Long.parseLong(value)));
                case "request.timeout.ms" -> requestTimeout(Duration.ofMillis(Long.parseLong(value)));
                case "query.time.skew.ms" -> queryTimeSkew(Duration.ofMillis(Long.parseLong(value)));
                default -> throw new IllegalArgumentException("unknown Herald Kafka option herald." + key);
            }
        }

        private static Duration positive(Duration duration, String what) {
            Objects.requireNonNull(duration, what);
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException(what + " must be positive: " + duration);
            }
            return duration;
        }

        private static String legal(String name, String what) {
            Objects.requireNonNull(name, what);
            if (!LEGAL_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("illegal " + what + " name: " + name);
            }
            return name;
        }
    }
}
