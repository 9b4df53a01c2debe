package dev.herald.transport.kafka;

import dev.herald.transport.spi.AbstractDelivery;
import java.time.Duration;

/** One lease of an entry; settling a lease that is no longer current (released, stale) does nothing. */
final class KafkaDelivery extends AbstractDelivery {

    private final GroupMember member;
    private final Entry entry;
    private final long lease;

    KafkaDelivery(GroupMember member, Entry entry, long lease, String subscription, int attempt) {
        super(entry.event, subscription, attempt, entry.publishedAt);
        this.member = member;
        this.entry = entry;
        this.lease = lease;
    }

    @Override
    protected void settleAck() {
        member.ack(entry, lease);
    }

    @Override
    protected void settleNack(Duration delay) {
        member.nack(entry, lease, delay);
    }

    @Override
    protected void settleDeadLetter(String error) {
        member.deadLetter(entry, lease, error);
    }

    @Override
    protected String where() {
        return entry.partition + "@" + entry.offset;
    }
}
