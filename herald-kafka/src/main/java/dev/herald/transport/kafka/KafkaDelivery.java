package dev.herald.transport.kafka;

import dev.herald.transport.Delivery;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/** One lease of an entry; settling a lease that is no longer current (released, stale) does nothing. */
final class KafkaDelivery implements Delivery {

    private final GroupMember member;
    private final Entry entry;
    private final long lease;
    private final String subscription;
    private final int attempt;

    KafkaDelivery(GroupMember member, Entry entry, long lease, String subscription, int attempt) {
        this.member = member;
        this.entry = entry;
        this.lease = lease;
        this.subscription = subscription;
        this.attempt = attempt;
    }

    @Override
    public CloudEvent event() {
        return entry.event;
    }

    @Override
    public String subscription() {
        return subscription;
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public Instant publishedAt() {
        return entry.publishedAt;
    }

    @Override
    public void ack() {
        member.ack(entry, lease);
    }

    @Override
    public void nack(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative: " + delay);
        }
        member.nack(entry, lease, delay);
    }

    @Override
    public void deadLetter(String error) {
        member.deadLetter(entry, lease, Objects.requireNonNullElse(error, "(no error given)"));
    }

    @Override
    public String toString() {
        return "KafkaDelivery[" + subscription + " " + entry.partition + "@" + entry.offset + " attempt " + attempt
                + ", " + entry.event.getId() + "]";
    }
}
