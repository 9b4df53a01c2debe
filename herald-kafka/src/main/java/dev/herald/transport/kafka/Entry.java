package dev.herald.transport.kafka;

import io.cloudevents.CloudEvent;
import java.time.Instant;
import org.apache.kafka.common.TopicPartition;

/**
 * One fetched record of a subscription, from the moment a group member fetched it until it is
 * settled or its partition leaves the member. The mutable fields are guarded by the member's lock.
 */
final class Entry {

    enum State {
        /** Waiting to be handed out (maybe not visible yet, maybe behind its key's head). */
        WAITING,
        /** Handed to a consumer, unsettled. */
        LEASED,
        /** Being written to the dead-letter topic: still in flight, holding its key. */
        DEAD_LETTERING,
        /** Acknowledged or dead-lettered. */
        DONE,
        /** Its partition left this member, or the subscription was moved: settling it does nothing. */
        STALE
    }

    final TopicPartition partition;
    final long offset;
    /** The ordering key (the record key), or null: the entry is then unordered. */
    final String key;
    final CloudEvent event;
    final Instant publishedAt;

    State state = State.WAITING;
    /** {@link System#nanoTime()} before which it is not handed out. */
    long visibleAt;
    int attempts;
    Instant firstAttemptAt;
    /** Identifies the current lease; a settlement carrying another is ignored. */
    long lease;
    KafkaSubscriptionConsumer holder;

    Entry(TopicPartition partition, long offset, String key, CloudEvent event, Instant publishedAt, int priorAttempts,
          long visibleAt) {
        this.partition = partition;
        this.offset = offset;
        this.key = key;
        this.event = event;
        this.publishedAt = publishedAt;
        this.attempts = priorAttempts;
        this.visibleAt = visibleAt;
    }

    @Override
    public String toString() {
        return partition + "@" + offset + " " + event.getId() + " " + state + " attempts " + attempts;
    }
}
