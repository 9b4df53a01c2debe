package dev.herald.transport.kafka;

import dev.herald.transport.Consumer;
import dev.herald.transport.Delivery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A consumer of one subscription: leases deliveries from this process's {@link GroupMember} of the
 * subscription's consumer group. Closing it releases its unsettled deliveries (they are not
 * committed) to the other consumers; closing the last one of the process closes the member, which
 * leaves the group so that other processes take its partitions over.
 */
final class KafkaSubscriptionConsumer implements Consumer {

    private final GroupMember member;
    private final java.util.function.Consumer<KafkaSubscriptionConsumer> onClose;
    /** Written under the member's lock, so a poll and close() never both "win". */
    private volatile boolean closed;

    KafkaSubscriptionConsumer(GroupMember member, java.util.function.Consumer<KafkaSubscriptionConsumer> onClose) {
        this.member = member;
        this.onClose = onClose;
    }

    GroupMember member() {
        return member;
    }

    String subscription() {
        return member.subscription();
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public List<Delivery> poll(int max, Duration timeout) throws InterruptedException {
        if (max <= 0) {
            throw new IllegalArgumentException("max must be positive: " + max);
        }
        Objects.requireNonNull(timeout, "timeout");
        if (closed) {
            throw new IllegalStateException("consumer of " + subscription() + " is closed");
        }
        long nanos = timeout.isNegative() ? 0 : saturatedNanos(timeout);
        List<Entry> entries = member.poll(this, max, nanos);
        if (entries.isEmpty() || closed) {
            // closed meanwhile: close() released whatever was leased here
            return List.of();
        }
        List<Delivery> deliveries = new ArrayList<>(entries.size());
        for (Entry entry : entries) {
            deliveries.add(new KafkaDelivery(member, entry, entry.lease, subscription(), entry.attempts));
        }
        return deliveries;
    }

    @Override
    public void close() {
        member.lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            member.lock.unlock();
        }
        member.detach(this);
        onClose.accept(this);
    }

    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 2;
        }
    }

    @Override
    public String toString() {
        return "KafkaConsumer[" + subscription() + (closed ? ", closed]" : "]");
    }
}
