package dev.herald.transport.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.herald.transport.TransportException;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Declares, inspects and deletes exchanges and queues through one channel, one operation at a time. A failed
 * declaration closes an AMQP channel, so the channel is reopened on the next operation.
 *
 * <p>Every queue a subscription owns is a durable quorum queue: replicated, fsynced before the publisher is
 * confirmed, with message TTL and at-least-once dead-lettering (both RabbitMQ 3.10+). At-least-once
 * dead-lettering needs {@code x-overflow=reject-publish}; no queue has a length limit, so it never rejects.
 */
final class Topology {

    /** A retry queue is deleted after it was not declared for this long beyond its delay. */
    private static final Duration RETRY_QUEUE_IDLE = Duration.ofMinutes(10);

    private final Connection connection;
    private final Names names;
    private final RabbitMqOptions options;
    private final ReentrantLock lock = new ReentrantLock();
    private final Set<String> topics = ConcurrentHashMap.newKeySet();
    /** Retry queues declared by this process: name → when, in {@code System.nanoTime()}. */
    private final Map<String, Long> retryQueues = new ConcurrentHashMap<>();
    private Channel channel;

    Topology(Connection connection, Names names, RabbitMqOptions options) {
        this.connection = connection;
        this.names = names;
        this.options = options;
    }

    @FunctionalInterface
    private interface Operation<T> {
        T run(Channel channel) throws IOException;
    }

    private <T> T run(String what, Operation<T> operation) {
        lock.lock();
        try {
            if (channel == null || !channel.isOpen()) {
                channel = connection.createChannel();
            }
            return operation.run(channel);
        } catch (IOException | RuntimeException e) {
            throw new TransportException("RabbitMQ refused to " + what + ": " + rootMessage(e), e);
        } finally {
            lock.unlock();
        }
    }

    /** The topic's exchange and its history stream, declared once per process. */
    void ensureTopic(String topic) {
        if (topics.contains(topic)) {
            return;
        }
        run("declare topic " + topic, ch -> {
            ch.exchangeDeclare(names.exchange(topic), "fanout", true);
            ch.queueDeclare(names.stream(topic), true, false, false, Map.of(
                    "x-queue-type", "stream",
                    "x-max-age", options.retention().toSeconds() + "s"));
            ch.queueBind(names.stream(topic), names.exchange(topic), "");
            return null;
        });
        topics.add(topic);
    }

    /** Declares a subscription's queue and dead-letter queue (idempotent with the same options). */
    void declareSubscriptionQueues(String subscription) {
        run("declare the queues of subscription " + subscription, ch -> {
            ch.queueDeclare(names.deadLetters(subscription), true, false, false, Map.of("x-queue-type", "quorum"));
            ch.queueDeclare(names.queue(subscription), true, false, false, subscriptionQueue(subscription, false));
            return null;
        });
    }

    /**
     * Declares an ordered subscription's consistent-hash exchange and its shards: quorum queues with a single
     * active consumer, each bound with weight 1, so the broker spreads ordering keys evenly and keeps each key on
     * one shard (idempotent with the same options).
     */
    void declareOrderedQueues(String subscription, int shards) {
        run("declare the shards of subscription " + subscription, ch -> {
            ch.queueDeclare(names.deadLetters(subscription), true, false, false, Map.of("x-queue-type", "quorum"));
            ch.exchangeDeclare(names.hash(subscription), "x-consistent-hash", true);
            for (int i = 0; i < shards; i++) {
                ch.queueDeclare(names.shard(subscription, i), true, false, false, subscriptionQueue(subscription, true));
                ch.queueBind(names.shard(subscription, i), names.hash(subscription), "1");
            }
            return null;
        });
    }

    private Map<String, Object> subscriptionQueue(String subscription, boolean singleActiveConsumer) {
        Map<String, Object> arguments = new HashMap<>(Map.of(
                "x-queue-type", "quorum",
                "x-delivery-limit", options.deliveryLimit(),
                "x-dead-letter-exchange", "",
                "x-dead-letter-routing-key", names.deadLetters(subscription),
                "x-dead-letter-strategy", "at-least-once",
                "x-overflow", "reject-publish"));
        if (singleActiveConsumer) {
            arguments.put("x-single-active-consumer", true);
        }
        return arguments;
    }

    /**
     * Declares a queue whose messages wait {@code millis} and then move to {@code target}: a delivery delay or a
     * nack's delay, done by the broker (message TTL, then dead-lettering into the subscription's queue).
     */
    void declareDelayQueue(String queue, long millis, Target target, Duration idleExpiry) {
        Map<String, Object> arguments = new HashMap<>(Map.of(
                "x-queue-type", "quorum",
                "x-message-ttl", millis,
                "x-dead-letter-exchange", target.exchange(),
                "x-dead-letter-strategy", "at-least-once",
                "x-overflow", "reject-publish"));
        if (target.queue() != null) {
            // Without it, dead-lettering keeps the routing key: the ordering key a hash exchange routes by.
            arguments.put("x-dead-letter-routing-key", target.queue());
        }
        if (idleExpiry != null) {
            arguments.put("x-expires", idleExpiry.toMillis());
        }
        run("declare delay queue " + queue, ch -> ch.queueDeclare(queue, true, false, false, arguments));
    }

    /**
     * The retry queue of {@code subscription} for {@code millis}, declared when this process has not declared it
     * recently: a retry queue expires when unused, and a declaration counts as use.
     */
    String retryQueue(String subscription, long millis) {
        String queue = names.retry(subscription, millis);
        Duration expiry = RETRY_QUEUE_IDLE.plusMillis(2 * millis);
        Long declared = retryQueues.get(queue);
        if (declared == null || System.nanoTime() - declared > expiry.toNanos() / 2) {
            declareDelayQueue(queue, millis, Target.queue(names.queue(subscription)), expiry);
            retryQueues.put(queue, System.nanoTime());
        }
        return queue;
    }

    /** The retry queues this process declared for a subscription. */
    Set<String> knownRetryQueues(String subscription) {
        String start = names.queue(subscription) + ".retry.";
        Set<String> known = new java.util.HashSet<>();
        retryQueues.keySet().stream().filter(q -> q.startsWith(start)).forEach(known::add);
        return known;
    }

    void bind(String queue, String topic) {
        run("bind " + queue + " to topic " + topic, ch -> ch.queueBind(queue, names.exchange(topic), ""));
    }

    void unbind(String queue, String topic) {
        run("unbind " + queue + " from topic " + topic, ch -> ch.queueUnbind(queue, names.exchange(topic), ""));
    }

    /** Binds an ordered subscription's hash exchange to its topic (an exchange-to-exchange binding). */
    void bindExchange(String exchange, String topic) {
        run("bind " + exchange + " to topic " + topic, ch -> ch.exchangeBind(exchange, names.exchange(topic), ""));
    }

    void unbindExchange(String exchange, String topic) {
        run("unbind " + exchange + " from topic " + topic,
                ch -> ch.exchangeUnbind(exchange, names.exchange(topic), ""));
    }

    void deleteExchange(String exchange) {
        run("delete exchange " + exchange, ch -> ch.exchangeDelete(exchange));
    }

    /** Ready messages of a queue; 0 when it does not exist. */
    long ready(String queue) {
        try {
            return run("inspect queue " + queue, ch -> (long) ch.queueDeclarePassive(queue).getMessageCount());
        } catch (TransportException e) {
            if (notFound(e)) {
                return 0;
            }
            throw e;
        }
    }

    /** Whether the topic's stream exists: known without a round trip when this process declared it. */
    boolean topicExists(String topic) {
        return topics.contains(topic) || exists(names.stream(topic));
    }

    /** Whether the queue or stream exists. */
    boolean exists(String queue) {
        try {
            run("inspect queue " + queue, ch -> ch.queueDeclarePassive(queue));
            return true;
        } catch (TransportException e) {
            if (notFound(e)) {
                return false;
            }
            throw e;
        }
    }

    void purge(String queue) {
        try {
            run("purge queue " + queue, ch -> ch.queuePurge(queue));
        } catch (TransportException e) {
            if (!notFound(e)) {
                throw e;
            }
        }
    }

    void delete(String queue) {
        run("delete queue " + queue, ch -> ch.queueDelete(queue));
        retryQueues.remove(queue);
    }

    private static boolean notFound(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof com.rabbitmq.client.ShutdownSignalException signal
                    && signal.getReason() instanceof AMQP.Channel.Close close && close.getReplyCode() == AMQP.NOT_FOUND) {
                return true;
            }
        }
        return false;
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }

    void close() {
        lock.lock();
        try {
            if (channel != null) {
                Publisher.closeQuietly(channel);
            }
        } finally {
            lock.unlock();
        }
    }
}
