package dev.herald.transport.pubsub;

import com.google.api.core.ApiFuture;
import com.google.api.gax.rpc.DeadlineExceededException;
import com.google.pubsub.v1.AcknowledgeRequest;
import com.google.pubsub.v1.ModifyAckDeadlineRequest;
import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.PullRequest;
import com.google.pubsub.v1.PullResponse;
import com.google.pubsub.v1.ReceivedMessage;
import com.google.pubsub.v1.SubscriptionName;
import com.google.pubsub.v1.TopicName;
import dev.herald.transport.DeadLetter;
import dev.herald.transport.TransportException;
import io.cloudevents.CloudEvent;
import io.cloudevents.rw.CloudEventRWException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A subscription's dead letters: the messages of its dead-letter topic ({@code <prefix><name>.dlq}), read through
 * the subscription of the same name. Two writers fill it: {@link #bury} (a consumer gave up, with the last error
 * in the {@code herald-error} attribute) and Pub/Sub's own dead-letter policy (a message delivered
 * {@link PubSubOptions#maxDeliveryAttempts()} times without an ack; Pub/Sub adds
 * {@code CloudPubSubDeadLetterSourceDeliveryCount}).
 *
 * <p>Pub/Sub cannot read a subscription without leasing, so listing pulls every dead letter, reads it, and gives
 * all of them back at once (ack deadline 0); redrive republishes the chosen ones to the retry topic
 * ({@code <prefix><name>.retry}, read by the subscription's consumers) and acknowledges them; discard acknowledges
 * them. One reader at a time per process; readers in two processes at once may each see only part.
 */
final class DeadLetterBox {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterBox.class);
    static final String ERROR = "herald-error";
    static final String ATTEMPTS = "herald-attempts";
    static final String PUBLISHED_AT = "herald-published-at";
    private static final String PUBSUB_DELIVERY_COUNT = "CloudPubSubDeadLetterSourceDeliveryCount";
    private static final Duration LISTING_PULL = Duration.ofSeconds(1);

    /** One dead letter as read, with the lease that a decision settles. */
    record Entry(DeadLetter letter, String ackId) {
    }

    private final PubSubClients clients;
    private final Names names;
    private final PubSubOptions options;
    private final ReentrantLock lock = new ReentrantLock();

    DeadLetterBox(PubSubClients clients, Names names, PubSubOptions options) {
        this.clients = clients;
        this.names = names;
        this.options = options;
    }

    /** Stores a dead letter of {@code subscription} and returns once Pub/Sub has it. */
    void bury(String subscription, CloudEvent event, int attempts, Instant publishedAt, String error) {
        PubsubMessage message = EventCodec.encode(event)
                .putAttributes(ERROR, truncate(error))
                .putAttributes(ATTEMPTS, Integer.toString(attempts))
                .putAttributes(PUBLISHED_AT, publishedAt.toString())
                .build();
        await(clients.publish(names.deadLetterTopic(subscription), message), "dead letters of " + subscription);
    }

    /** Pub/Sub attribute values hold at most 1024 bytes. */
    private static String truncate(String error) {
        return error.length() <= 500 ? error : error.substring(0, 499) + "…";
    }

    /** Every dead letter, oldest first. */
    List<DeadLetter> list(String subscription) {
        List<DeadLetter> letters = new ArrayList<>();
        decide(subscription, entries -> {
            entries.forEach(e -> letters.add(e.letter()));
            return List.of();
        });
        return letters;
    }

    /** Puts the chosen dead letters back into the subscription through its retry topic; returns how many. */
    int redrive(String subscription, List<String> ids) {
        TopicName retry = names.retryTopic(subscription);
        return decide(subscription, entries -> {
            List<Entry> chosen = entries.stream().filter(e -> ids.contains(e.letter().id())).toList();
            for (Entry entry : chosen) {
                await(clients.publish(retry, EventCodec.encode(entry.letter().event()).build()), "retries of " + subscription);
            }
            return chosen;
        });
    }

    /** Removes the chosen dead letters; returns how many. */
    int discard(String subscription, List<String> ids) {
        return decide(subscription, entries -> entries.stream().filter(e -> ids.contains(e.letter().id())).toList());
    }

    /**
     * Leases every dead letter, lets {@code decision} choose which to acknowledge, acknowledges those and gives the
     * rest back; returns how many were acknowledged.
     */
    private int decide(String subscription, UnaryOperator<List<Entry>> decision) {
        SubscriptionName source = names.deadLetterSubscription(subscription);
        lock.lock();
        try {
            List<Entry> entries = new ArrayList<>();
            List<String> unreadable = new ArrayList<>();
            try {
                pullAll(subscription, source, entries, unreadable);
                entries.sort(Comparator.comparing((Entry e) -> e.letter().deadAt()).thenComparing(e -> e.letter().id()));
                List<Entry> chosen = decision.apply(entries);
                List<String> ackIds = chosen.stream().map(Entry::ackId).toList();
                if (!ackIds.isEmpty()) {
                    clients.subscriber().acknowledgeCallable().call(AcknowledgeRequest.newBuilder()
                            .setSubscription(source.toString()).addAllAckIds(ackIds).build(),
                            PubSubClients.within(options.requestTimeout()));
                }
                entries.removeAll(chosen);
                return ackIds.size();
            } finally {
                List<String> giveBack = new ArrayList<>(unreadable);
                entries.forEach(e -> giveBack.add(e.ackId()));
                if (!giveBack.isEmpty()) {
                    clients.subscriber().modifyAckDeadlineCallable().call(ModifyAckDeadlineRequest.newBuilder()
                            .setSubscription(source.toString()).setAckDeadlineSeconds(0).addAllAckIds(giveBack).build(),
                            PubSubClients.within(options.requestTimeout()));
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void pullAll(String subscription, SubscriptionName source, List<Entry> entries, List<String> unreadable) {
        while (true) {
            PullResponse response;
            try {
                response = clients.subscriber().pullCallable().call(PullRequest.newBuilder()
                        .setSubscription(source.toString()).setMaxMessages(1000).setReturnImmediately(true).build(),
                        PubSubClients.within(LISTING_PULL));
            } catch (DeadlineExceededException nothingLeft) {
                return;
            }
            if (response.getReceivedMessagesCount() == 0) {
                return;
            }
            for (ReceivedMessage received : response.getReceivedMessagesList()) {
                try {
                    entries.add(new Entry(letter(subscription, received.getMessage()), received.getAckId()));
                } catch (CloudEventRWException | IllegalArgumentException e) {
                    LOG.warn("dead letter {} of {} is not a CloudEvent: {}", received.getMessage().getMessageId(),
                            subscription, e.getMessage());
                    unreadable.add(received.getAckId());
                }
            }
        }
    }

    private static DeadLetter letter(String subscription, PubsubMessage message) {
        Instant deadAt = Instant.ofEpochSecond(message.getPublishTime().getSeconds(), message.getPublishTime().getNanos());
        String error = message.getAttributesOrDefault(ERROR, null);
        int attempts;
        if (error != null) {
            attempts = Integer.parseInt(message.getAttributesOrDefault(ATTEMPTS, "1"));
        } else {
            attempts = Integer.parseInt(message.getAttributesOrDefault(PUBSUB_DELIVERY_COUNT, "0"));
            error = "Pub/Sub's dead-letter policy: delivered " + attempts + " times without an acknowledgement";
        }
        String published = message.getAttributesOrDefault(PUBLISHED_AT, null);
        Instant firstAttemptAt = published == null ? deadAt : Instant.parse(published);
        return new DeadLetter(message.getMessageId(), subscription, EventCodec.decode(message), attempts, error,
                firstAttemptAt, deadAt);
    }

    /** Waits for one publish; Pub/Sub has the message once this returns. */
    private void await(ApiFuture<String> publish, String what) {
        try {
            publish.get(options.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new TransportException("cannot store " + what + " in Pub/Sub: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new TransportException("storing " + what + " in Pub/Sub took longer than " + options.requestTimeout(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted while storing " + what, e);
        }
    }
}
