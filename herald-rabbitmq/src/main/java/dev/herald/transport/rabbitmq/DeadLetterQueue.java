package dev.herald.transport.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.herald.transport.DeadLetter;
import dev.herald.transport.TransportException;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A subscription's dead letters: the messages of its dead-letter queue ({@code <queue>.dead}, a quorum queue).
 * They arrive two ways: {@link dev.herald.transport.Delivery#deadLetter} publishes a copy with Herald's
 * headers (id, error, attempts, times), and the broker dead-letters a message returned unsettled more often
 * than the queue's delivery limit.
 *
 * <p>A queue cannot be read without taking its messages, so listing, redriving and discarding browse it: every
 * message is fetched unacknowledged on a channel of their own, the chosen ones are acknowledged (after a
 * redrive's copy into the subscription's queue is confirmed), and closing the channel returns the others. A
 * process browses one queue at a time; a browse running in another process hides that process's messages
 * for its duration.
 */
final class DeadLetterQueue {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterQueue.class);
    /** A browse stops after this many messages: listing a huge dead-letter queue is not what it is for. */
    private static final int MAX_BROWSE = 100_000;
    private static final java.time.Duration RETURN_WAIT = java.time.Duration.ofSeconds(2);
    static final String LIMIT_REACHED = "returned to its queue unsettled more often than the delivery limit"
            + " (x-delivery-limit) allows: consumers closed or died while holding it";

    private record Letter(long tag, AMQP.BasicProperties props, byte[] body, DeadLetter letter) {
    }

    @FunctionalInterface
    private interface Choice {
        /** Settles the chosen letters on the browsing channel; returns how many. */
        int apply(Channel channel, List<Letter> letters) throws IOException;
    }

    private final Connection connection;
    private final Names names;
    private final Publisher publisher;
    private final ReentrantLock lock = new ReentrantLock();

    DeadLetterQueue(Connection connection, Names names, Publisher publisher) {
        this.connection = connection;
        this.names = names;
        this.publisher = publisher;
    }

    List<DeadLetter> list(String subscription, String afterId, int limit) {
        List<DeadLetter> page = new ArrayList<>();
        browse(subscription, (channel, letters) -> {
            int start = 0;
            if (afterId != null) {
                for (int i = 0; i < letters.size(); i++) {
                    if (letters.get(i).letter().id().equals(afterId)) {
                        start = i + 1;
                        break;
                    }
                }
            }
            letters.subList(start, Math.min(letters.size(), start + Math.max(0, limit)))
                    .forEach(l -> page.add(l.letter()));
            return 0;
        });
        return page;
    }

    int redrive(String subscription, Target target, List<String> ids) {
        Set<String> wanted = new HashSet<>(ids);
        return browse(subscription, (channel, letters) -> {
            List<Letter> chosen = letters.stream().filter(l -> wanted.contains(l.letter().id())).toList();
            Map<String, Object> fresh = new HashMap<>();
            for (String header : List.of(Messages.DEAD_ID, Messages.ERROR, Messages.DEAD_AT, Messages.ATTEMPT,
                    Messages.FIRST_ATTEMPT_AT, Messages.GENERATION)) {
                fresh.put(header, null);
            }
            publisher.publish(chosen.stream().map(l -> target.message(Messages.withHeaders(l.props(), fresh),
                    l.body())).toList());
            for (Letter letter : chosen) {
                channel.basicAck(letter.tag(), false);
            }
            return chosen.size();
        });
    }

    int discard(String subscription, List<String> ids) {
        Set<String> wanted = new HashSet<>(ids);
        return browse(subscription, (channel, letters) -> {
            int discarded = 0;
            for (Letter letter : letters) {
                if (wanted.contains(letter.letter().id())) {
                    channel.basicAck(letter.tag(), false);
                    discarded++;
                }
            }
            return discarded;
        });
    }

    private int browse(String subscription, Choice choice) {
        String queue = names.deadLetters(subscription);
        lock.lock();
        Channel channel = null;
        int fetched = 0;
        int settled = 0;
        try {
            channel = connection.createChannel();
            List<Letter> letters = new ArrayList<>();
            for (GetResponse got = channel.basicGet(queue, false); got != null && fetched < MAX_BROWSE;
                 got = channel.basicGet(queue, false)) {
                fetched++;
                Letter letter = read(subscription, got);
                if (letter != null) {
                    letters.add(letter);
                }
            }
            letters.sort(Comparator.comparing((Letter l) -> l.letter().deadAt()).thenComparing(l -> l.letter().id()));
            settled = choice.apply(channel, letters);
            return settled;
        } catch (IOException e) {
            if (Topology.rootMessage(e).contains("NOT_FOUND")) {
                return 0;
            }
            throw new TransportException("cannot read the dead letters of " + subscription + ": "
                    + Topology.rootMessage(e), e);
        } finally {
            if (channel != null) {
                Publisher.closeQuietly(channel); // returns every message not acknowledged
                awaitReturned(queue, fetched - settled);
            }
            lock.unlock();
        }
    }

    /**
     * Waits, briefly, until the messages a browse returned are counted in the queue again: the broker takes them
     * back asynchronously, and a count read right after a browse would miss them.
     */
    private void awaitReturned(String queue, int returned) {
        if (returned <= 0) {
            return;
        }
        long deadline = System.nanoTime() + RETURN_WAIT.toNanos();
        try {
            Channel channel = connection.createChannel();
            try {
                while (channel.queueDeclarePassive(queue).getMessageCount() < returned && System.nanoTime() < deadline) {
                    Thread.sleep(2);
                }
            } finally {
                Publisher.closeQuietly(channel);
            }
        } catch (IOException e) {
            LOG.debug("cannot count {} after a browse: {}", queue, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Letter read(String subscription, GetResponse got) {
        AMQP.BasicProperties props = got.getProps();
        try {
            Instant publishedAt = Messages.publishedAt(props);
            Instant deadAt = Messages.instant(props, Messages.DEAD_AT).orElseGet(() -> deathTime(props, publishedAt));
            // The broker's dead letters carry no id of Herald's: the event id and death time name them.
            String id = Messages.text(props, Messages.DEAD_ID)
                    .orElse("limit-" + props.getMessageId() + "-" + deadAt.toEpochMilli());
            DeadLetter letter = new DeadLetter(id, subscription, Messages.event(got.getBody()), Messages.attempt(props),
                    Messages.text(props, Messages.ERROR).orElse(LIMIT_REACHED),
                    Messages.instant(props, Messages.FIRST_ATTEMPT_AT).orElse(publishedAt), deadAt);
            return new Letter(got.getEnvelope().getDeliveryTag(), props, got.getBody(), letter);
        } catch (RuntimeException e) {
            LOG.warn("dead letters of {}: skipping message {}, which is not a CloudEvent: {}", subscription,
                    props.getMessageId(), e.toString());
            return null;
        }
    }

    /** When the broker dead-lettered it, from its {@code x-death} header. */
    private static Instant deathTime(AMQP.BasicProperties props, Instant fallback) {
        Object deaths = props.getHeaders() == null ? null : props.getHeaders().get("x-death");
        if (deaths instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Map<?, ?> death
                && death.get("time") instanceof java.util.Date time) {
            return time.toInstant();
        }
        return fallback;
    }
}
