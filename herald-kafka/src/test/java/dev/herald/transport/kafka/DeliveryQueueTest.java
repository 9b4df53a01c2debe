package dev.herald.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.tck.TestEvents;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The in-memory scheduling of one member, without a broker. */
class DeliveryQueueTest {

    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private final Map<TopicPartition, PartitionLedger> ledgers = new HashMap<>(
            Map.of(P0, new PartitionLedger(P0, new OffsetAndMetadata(0))));

    @Test
    void anOrderedKeyWaitsForItsHeadWhileOtherKeysFlow() throws InterruptedException {
        DeliveryQueue queue = new DeliveryQueue(true);
        Entry a0 = entry(0, "a");
        Entry a1 = entry(1, "a");
        Entry b0 = entry(2, "b");
        List.of(a0, a1, b0).forEach(queue::add);
        assertThat(queue.take(10, null, 1, ledgers)).containsExactly(a0, b0);
        queue.retry(a0, System.nanoTime() + 50_000_000L);
        queue.settled(b0);
        assertThat(queue.take(10, null, 2, ledgers)).as("a1 waits behind its failed head").isEmpty();
        assertThat(queue.nanosUntilNextVisible()).isPositive().isLessThanOrEqualTo(50_000_000L);
        Thread.sleep(60);
        assertThat(queue.take(10, null, 3, ledgers)).as("the head again, after its delay").containsExactly(a0);
        queue.settled(a0);
        assertThat(queue.take(10, null, 4, ledgers)).containsExactly(a1);
        assertThat(a0.attempts).isEqualTo(2);
    }

    @Test
    void unorderedEntriesGoAsSoonAsTheyAreVisible() {
        DeliveryQueue queue = new DeliveryQueue(false);
        Entry a0 = entry(0, "a");
        Entry a1 = entry(1, "a");
        queue.add(a0);
        queue.add(a1);
        assertThat(queue.take(1, null, 1, ledgers)).containsExactly(a0);
        queue.release(a0);
        assertThat(queue.take(5, null, 2, ledgers)).as("released goes first again").containsExactly(a0, a1);
        assertThat(queue.leasedCount()).isEqualTo(2);
    }

    @Test
    void entriesOfARevokingPartitionAreNotHandedOut() {
        DeliveryQueue queue = new DeliveryQueue(false);
        queue.add(entry(0, "a"));
        ledgers.get(P0).revoking = true;
        assertThat(queue.take(5, null, 1, ledgers)).isEmpty();
    }

    @Test
    void theLedgerCommitsUpToTheFirstUnsettledRecordOnly() {
        PartitionLedger ledger = ledgers.get(P0);
        Entry e0 = entry(0, "a");
        Entry e1 = entry(1, "b");
        Entry e2 = entry(2, "c");
        ledger.fetched(0, e0);
        ledger.fetched(1, e1);
        ledger.fetched(2, e2);
        ledger.settle(1);
        ledger.settle(2);
        assertThat(ledger.commitPoint()).isZero();
        OffsetAndMetadata commit = ledger.toCommit();
        assertThat(commit.offset()).isZero();
        assertThat(CommitMetadata.decode(0, commit.metadata()).settled()).containsExactly(1L, 2L);
        ledger.settle(0);
        assertThat(ledger.commitPoint()).isEqualTo(3);
        assertThat(ledger.toCommit().metadata()).isEmpty();
    }

    private static Entry entry(long offset, String key) {
        return new Entry(P0, offset, key, TestEvents.probe("q", (int) offset), Instant.now(), 0, System.nanoTime());
    }
}
