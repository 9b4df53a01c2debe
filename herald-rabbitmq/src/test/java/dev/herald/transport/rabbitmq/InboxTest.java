package dev.herald.transport.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The consumer's inbox: per-key gating for ordered subscriptions, none for unordered ones; no broker. */
class InboxTest {

    private static Inbox.Received message(long tag, String key) {
        return new Inbox.Received(tag, new AMQP.BasicProperties(), new byte[0], Instant.now(), key, 1, null);
    }

    private static List<Long> tags(List<Inbox.Received> received) {
        return received.stream().map(Inbox.Received::tag).toList();
    }

    @Test
    void orderedHandsOutOneMessagePerKeyUntilItIsSettled() {
        Inbox inbox = new Inbox(true);
        inbox.add(message(1, "a"));
        inbox.add(message(2, "a"));
        inbox.add(message(3, "b"));
        inbox.add(message(4, "a"));
        assertThat(tags(inbox.take(10))).as("the first of each key").containsExactly(1L, 3L);
        assertThat(inbox.take(10)).as("both keys are out").isEmpty();
        inbox.settled("a");
        assertThat(tags(inbox.take(10))).as("a's next, in order").containsExactly(2L);
        inbox.settled("a");
        inbox.settled("b");
        assertThat(tags(inbox.take(10))).containsExactly(4L);
    }

    @Test
    void aRetryComesBackFirstAndKeepsItsKeyAheadOfLaterMessages() {
        Inbox inbox = new Inbox(true);
        inbox.add(message(1, "a"));
        inbox.add(message(2, "a"));
        Inbox.Received first = inbox.take(10).get(0);
        // nacked: the key stays busy until the retry is due
        assertThat(inbox.take(10)).isEmpty();
        Inbox.Received again = first.retry(first.at());
        inbox.addRetry(again);
        List<Inbox.Received> next = inbox.take(10);
        assertThat(tags(next)).as("the retry, and not the key's later message").containsExactly(1L);
        assertThat(next.get(0).attempt()).isEqualTo(2);
        inbox.settled("a");
        assertThat(tags(inbox.take(10))).containsExactly(2L);
    }

    @Test
    void messagesWithoutAKeyAndUnorderedInboxesAreNeverHeldBack() {
        Inbox ordered = new Inbox(true);
        ordered.add(message(1, ""));
        ordered.add(message(2, ""));
        assertThat(tags(ordered.take(10))).containsExactly(1L, 2L);
        Inbox unordered = new Inbox(false);
        unordered.add(message(1, "a"));
        unordered.add(message(2, "a"));
        assertThat(tags(unordered.take(1))).containsExactly(1L);
        assertThat(tags(unordered.take(10))).containsExactly(2L);
    }

    @Test
    void nackDelaysRoundUpToTwoSignificantDigitsAndNeverDown() {
        assertThat(RabbitMqConsumer.roundUpMillis(Duration.ZERO)).isZero();
        assertThat(RabbitMqConsumer.roundUpMillis(Duration.ofNanos(1))).isEqualTo(1);
        assertThat(RabbitMqConsumer.roundUpMillis(Duration.ofMillis(99))).isEqualTo(99);
        assertThat(RabbitMqConsumer.roundUpMillis(Duration.ofMillis(1_234))).isEqualTo(1_300);
        assertThat(RabbitMqConsumer.roundUpMillis(Duration.ofMillis(1_500))).isEqualTo(1_500);
        assertThat(RabbitMqConsumer.roundUpMillis(Duration.ofSeconds(61))).isEqualTo(61_000);
        assertThat(RabbitMqConsumer.roundUpMillis(Duration.ofMillis(61_001))).isEqualTo(62_000);
    }
}
