package dev.herald.transport.kafka;

import dev.herald.transport.StartPosition;
import dev.herald.transport.TransportException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.RetriableException;

/**
 * The admin operations of a transport: topics created on first use, partition lists, offsets by
 * position, and a consumer group's committed offsets. Every call waits at most the options'
 * request timeout and fails with a {@link TransportException}.
 */
final class KafkaAdmin implements AutoCloseable {

    /** How long offset changes keep retrying while a group's members are still leaving. */
    private static final Duration GROUP_SETTLE = Duration.ofSeconds(10);

    private final Admin admin;
    private final KafkaOptions options;
    /** Topics known to exist: publish asks the cluster once per topic and process. */
    private final Set<String> known = ConcurrentHashMap.newKeySet();

    KafkaAdmin(Admin admin, KafkaOptions options) {
        this.admin = admin;
        this.options = options;
    }

    /** Creates an event topic with the configured partitions and configs unless it exists. */
    void ensureEventTopic(String topic) {
        if (known.contains(topic)) {
            return; // every publish asks: answered without building the topic's configuration
        }
        Map<String, String> configs = new HashMap<>();
        configs.put("max.message.bytes", String.valueOf(KafkaClients.MAX_RECORD_BYTES));
        // The broker's clock stamps records: publishedAt and offsetsForTimes then mean "stored at".
        configs.put("message.timestamp.type", "LogAppendTime");
        configs.putAll(options.topicConfigs());
        ensureTopic(topic, options.partitions(), configs);
    }

    /** Creates a subscription's dead-letter topic: one partition, so ids (offsets) give one order. */
    void ensureDeadLetterTopic(String topic) {
        Map<String, String> configs = new HashMap<>();
        configs.put("max.message.bytes", String.valueOf(KafkaClients.MAX_RECORD_BYTES));
        configs.putAll(options.deadLetterTopicConfigs());
        ensureTopic(topic, 1, configs);
    }

    /** Creates the compacted registry topic. */
    void ensureRegistryTopic(String topic) {
        ensureTopic(topic, 1, Map.of("cleanup.policy", "compact"));
    }

    private void ensureTopic(String topic, int partitions, Map<String, String> configs) {
        if (known.contains(topic)) {
            return;
        }
        NewTopic newTopic = new NewTopic(topic, Optional.of(partitions), Optional.of(options.replicationFactor()))
                .configs(configs);
        long deadline = System.nanoTime() + options.requestTimeout().toNanos();
        while (true) {
            try {
                get(admin.createTopics(List.of(newTopic)).all(), "create topic " + topic);
                break;
            } catch (TransportException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                // "Exists" is also the answer for a topic still being deleted (a subscription of
                // the same name was just deleted): it is created again once it is gone.
                if (!beingDeleted(topic) || System.nanoTime() > deadline) {
                    break;
                }
                pause();
            }
        }
        awaitLeaders(topic);
        known.add(topic);
    }

    private boolean beingDeleted(String topic) {
        try {
            get(admin.describeTopics(List.of(topic)).allTopicNames(), "describe topic " + topic);
            return false;
        } catch (TransportException e) {
            return e.getCause() instanceof UnknownTopicOrPartitionException;
        }
    }

    /**
     * Waits until every partition of a new topic is served by its leader. Why: the broker's metadata
     * names a leader a moment before that leader accepts requests, and an idempotent producer whose
     * first batch to a partition fails that way was seen retrying with OUT_OF_ORDER_SEQUENCE_NUMBER
     * until its delivery timeout. Listing offsets goes to the leader and retries until it answers.
     */
    private void awaitLeaders(String topic) {
        endOffsets(partitions(topic));
    }

    /** The partitions of a topic, in partition order. */
    List<TopicPartition> partitions(String topic) {
        TopicDescription description = retrying(() -> get(admin.describeTopics(List.of(topic)).allTopicNames(),
                "describe topic " + topic)).get(topic);
        List<TopicPartition> partitions = new ArrayList<>();
        description.partitions().forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        return partitions;
    }

    /**
     * The offset where {@code position} is in each partition of {@code topic}: its beginning, its
     * end, or the first record stored at or after a timestamp (the end where there is none).
     */
    Map<TopicPartition, Long> offsets(String topic, StartPosition position) {
        List<TopicPartition> partitions = partitions(topic);
        OffsetSpec spec = switch (position) {
            case StartPosition.Earliest e -> OffsetSpec.earliest();
            case StartPosition.Latest l -> OffsetSpec.latest();
            // Kafka timestamps are milliseconds; rounding up keeps "at or after" exact.
            case StartPosition.At at -> OffsetSpec.forTimestamp(ceilMillis(at));
        };
        Map<TopicPartition, Long> offsets = list(partitions, spec);
        if (position instanceof StartPosition.At) {
            List<TopicPartition> none = offsets.entrySet().stream().filter(e -> e.getValue() < 0)
                    .map(Map.Entry::getKey).toList();
            if (!none.isEmpty()) {
                offsets.putAll(list(none, OffsetSpec.latest()));
            }
        }
        return offsets;
    }

    /** The end offsets of partitions. */
    Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions) {
        return list(partitions, OffsetSpec.latest());
    }

    private Map<TopicPartition, Long> list(Collection<TopicPartition> partitions, OffsetSpec spec) {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(p -> request.put(p, spec));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result = retrying(
                () -> get(admin.listOffsets(request).all(), "list offsets of " + partitions));
        Map<TopicPartition, Long> offsets = new HashMap<>();
        result.forEach((partition, info) -> offsets.put(partition, info.offset()));
        return offsets;
    }

    /** A group's committed offsets with their metadata; empty for an unknown group. */
    Map<TopicPartition, OffsetAndMetadata> committed(String groupId) {
        Map<TopicPartition, OffsetAndMetadata> committed =
                get(admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata(), "read offsets of " + groupId);
        Map<TopicPartition, OffsetAndMetadata> present = new HashMap<>();
        committed.forEach((partition, offset) -> {
            if (offset != null) {
                present.put(partition, offset);
            }
        });
        return present;
    }

    /**
     * Commits offsets for a group without members. Kafka refuses this while the group has members;
     * members that are just leaving (a consumer closed a moment ago) are waited for briefly.
     *
     * @throws TransportException when the group still has members
     */
    void commit(String groupId, Map<TopicPartition, OffsetAndMetadata> offsets) {
        long deadline = System.nanoTime() + GROUP_SETTLE.toNanos();
        while (true) {
            try {
                get(admin.alterConsumerGroupOffsets(groupId, offsets).all(), "commit offsets of " + groupId);
                return;
            } catch (TransportException e) {
                boolean busy = e.getCause() instanceof UnknownMemberIdException
                        || e.getCause() instanceof GroupNotEmptyException;
                if (!busy) {
                    throw e;
                }
                if (System.nanoTime() > deadline) {
                    throw new TransportException("consumer group " + groupId + " has active members elsewhere: "
                            + "close them before moving its position", e.getCause());
                }
                pause();
            }
        }
    }

    /** Deletes a group; an unknown group is fine, members still leaving are waited for briefly. */
    void deleteGroup(String groupId) {
        long deadline = System.nanoTime() + GROUP_SETTLE.toNanos();
        while (true) {
            try {
                get(admin.deleteConsumerGroups(List.of(groupId)).all(), "delete group " + groupId);
                return;
            } catch (TransportException e) {
                if (e.getCause() instanceof GroupIdNotFoundException) {
                    return;
                }
                if (!(e.getCause() instanceof GroupNotEmptyException) || System.nanoTime() > deadline) {
                    throw e;
                }
                pause();
            }
        }
    }

    /** Deletes a topic; an unknown topic is fine. */
    void deleteTopic(String topic) {
        known.remove(topic);
        try {
            get(admin.deleteTopics(List.of(topic)).all(), "delete topic " + topic);
        } catch (TransportException e) {
            if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                throw e;
            }
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }

    private <T> T get(KafkaFuture<T> future, String what) {
        try {
            return future.get(options.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new TransportException("cannot " + what + ": " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new TransportException("cannot " + what + ": no answer within " + options.requestTimeout(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted while trying to " + what, e);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted", e);
        }
    }

    private static long ceilMillis(StartPosition.At at) {
        long millis = at.timestamp().toEpochMilli();
        return at.timestamp().getNano() % 1_000_000 == 0 ? millis : millis + 1;
    }

    /**
     * Runs a call again while it fails with a retriable error, up to the request timeout. Why: a
     * topic created a moment ago may be unknown to the broker's metadata for a few milliseconds.
     */
    private <T> T retrying(java.util.function.Supplier<T> call) {
        long deadline = System.nanoTime() + options.requestTimeout().toNanos();
        while (true) {
            try {
                return call.get();
            } catch (TransportException e) {
                if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
                    throw e;
                }
                pause();
            }
        }
    }
}
