package dev.herald.transport.pubsub;

import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.DeadlineExceededException;
import com.google.pubsub.v1.AcknowledgeRequest;
import com.google.pubsub.v1.ModifyAckDeadlineRequest;
import com.google.pubsub.v1.PullRequest;
import com.google.pubsub.v1.PullResponse;
import com.google.pubsub.v1.ReceivedMessage;
import com.google.pubsub.v1.SubscriptionName;
import dev.herald.transport.Consumer;
import dev.herald.transport.Delivery;
import dev.herald.transport.SubscriptionSpec;
import dev.herald.transport.TransportException;
import dev.herald.transport.spi.Lifecycle;
import io.cloudevents.CloudEvent;
import io.cloudevents.rw.CloudEventRWException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer of a subscription: it pulls the subscription (and its retry subscription, which carries redriven
 * events) with unary pull, holds a lease on every message it pulled until it is settled, and hands messages out
 * as they become deliverable:
 *
 * <ul>
 *   <li><b>Delivery delay</b> (Pub/Sub has none): a message published less than the delay ago waits here, its
 *       lease extended, until due.</li>
 *   <li><b>Ordering</b>: Pub/Sub delivers a key's messages in order, several per pull; here a message of key K is
 *       handed out only after the previous one of K was settled, so a failing event holds back its own key
 *       only. Nacking a message also releases the later messages of its key that wait here: Pub/Sub redelivers
 *       them after it, in order.</li>
 *   <li><b>Nack with delay</b> is Pub/Sub's own: the message's ack deadline becomes the delay (whole seconds,
 *       rounded up, so never earlier), after which the broker redelivers it. Pub/Sub allows at most 600 s; a
 *       longer delay keeps the message leased here until due.</li>
 *   <li><b>Flow control</b>: no pull while {@link PubSubOptions#maxPendingPerConsumer()} messages are held.</li>
 *   <li><b>Leases</b> of held messages are extended to {@link PubSubOptions#ackDeadline()} while the consumer
 *       polls; close sets every held lease to 0, so Pub/Sub redelivers those messages at once.</li>
 * </ul>
 *
 * The attempt number is Pub/Sub's delivery attempt (kept because every subscription has a dead-letter policy).
 */
final class PubSubConsumer implements Consumer {

    private static final Logger LOG = LoggerFactory.getLogger(PubSubConsumer.class);
    /** Pub/Sub's longest ack deadline, so its longest native nack delay. */
    private static final long MAX_DEADLINE_SECONDS = 600;
    private static final long IDLE_NANOS = 20_000_000;
    private static final long RETRY_PULL_NANOS = 500_000_000;
    private static final long LONGEST_PULL_NANOS = 1_000_000_000;
    /** Ack ids per modify or acknowledge request, well below the request size limit. */
    private static final int IDS_PER_REQUEST = 1000;
    /** How long an ack waits for others to share its request. */
    private static final Duration ACK_BATCH_DELAY = Duration.ofMillis(5);

    /** A message this consumer holds a lease on; mutable state is guarded by the consumer's lock. */
    static final class Leased {
        private final long seq;
        private final SubscriptionName source;
        private final String messageId;
        private final CloudEvent event;
        private final String key;
        private final Instant publishedAt;
        private String ackId;
        private int attempt;
        private long dueNanos;
        private long leaseUntilNanos;

        Leased(long seq, SubscriptionName source, String messageId, CloudEvent event, String key,
               Instant publishedAt, String ackId, int attempt, long dueNanos, long leaseUntilNanos) {
            this.seq = seq;
            this.source = source;
            this.messageId = messageId;
            this.event = event;
            this.key = key;
            this.publishedAt = publishedAt;
            this.ackId = ackId;
            this.attempt = attempt;
            this.dueNanos = dueNanos;
            this.leaseUntilNanos = leaseUntilNanos;
        }

        String messageId() {
            return messageId;
        }
    }

    private final PubSubTransport transport;
    private final PubSubClients clients;
    private final PubSubOptions options;
    private final String subscription;
    private final SubscriptionName main;
    private final SubscriptionName retry;
    private final boolean ordered;
    private volatile Duration deliveryDelay;
    private final Lifecycle lifecycle;
    private final ReentrantLock lock = new ReentrantLock();
    /** Pulled, not handed out yet, in arrival order (by seq). */
    private final TreeMap<Long, Leased> waiting = new TreeMap<>();
    /** Every held message by message id: waiting or handed out. */
    private final Map<String, Leased> held = new HashMap<>();
    /** Handed out and not settled, by message id. */
    private final Map<String, Leased> handedOut = new HashMap<>();
    /** Ordering keys with a message handed out (ordered subscriptions only). */
    private final Set<String> busyKeys = new HashSet<>();
    /** Acks waiting for {@link #flushAcks}, by source. */
    private final Map<SubscriptionName, List<String>> queuedAcks = new HashMap<>();
    private final ScheduledExecutorService ackFlusher;
    private boolean flushScheduled;
    private long nextSeq;
    private long nextRetryPull;
    private long nextLeaseCheck;

    PubSubConsumer(PubSubTransport transport, PubSubClients clients, PubSubOptions options, Names names,
                   SubscriptionSpec spec, ScheduledExecutorService ackFlusher) {
        this.transport = transport;
        this.ackFlusher = ackFlusher;
        this.clients = clients;
        this.options = options;
        this.subscription = spec.name();
        this.main = names.subscription(spec.name());
        this.retry = names.retrySubscription(spec.name());
        this.ordered = spec.ordered();
        this.deliveryDelay = spec.deliveryDelay();
        this.lifecycle = new Lifecycle("consumer of " + spec.name());
    }

    @Override
    public List<Delivery> poll(int max, Duration timeout) throws InterruptedException {
        if (max <= 0) {
            throw new IllegalArgumentException("max must be positive: " + max);
        }
        Objects.requireNonNull(timeout, "timeout");
        lifecycle.ensureOpen();
        long start = System.nanoTime();
        long deadline = start + Math.min(Math.max(0, timeout.toNanos()), Duration.ofDays(36_500).toNanos());
        while (!lifecycle.isClosed()) {
            try {
                extendLeases();
                List<Delivery> ready = takeReady(max);
                if (!ready.isEmpty()) {
                    return lifecycle.isClosed() ? List.of() : ready;
                }
                long remaining = deadline - System.nanoTime();
                if (pull(main, max, remaining) + pullRetries(max) > 0) {
                    continue;
                }
            } catch (ApiException e) {
                if (lifecycle.isClosed()) {
                    return List.of();
                }
                if (Thread.currentThread().isInterrupted()) {
                    InterruptedException interrupted = new InterruptedException("interrupted while polling " + subscription);
                    interrupted.initCause(e);
                    throw interrupted;
                }
                throw new TransportException("cannot pull " + subscription + " from Pub/Sub: " + e.getMessage(), e);
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return List.of();
            }
            Thread.sleep(Duration.ofNanos(Math.min(remaining, Math.min(IDLE_NANOS, untilNextDue()))));
        }
        return List.of();
    }

    private int room() {
        lock.lock();
        try {
            return options.maxPendingPerConsumer() - held.size();
        } finally {
            lock.unlock();
        }
    }

    private long untilNextDue() {
        lock.lock();
        try {
            long now = System.nanoTime();
            return waiting.values().stream().mapToLong(l -> Math.max(1_000_000, l.dueNanos - now)).min().orElse(IDLE_NANOS);
        } finally {
            lock.unlock();
        }
    }

    /** Pulls the retry subscription now and then: it only carries redriven events. */
    private int pullRetries(int max) {
        long now = System.nanoTime();
        if (now - nextRetryPull < 0) {
            return 0;
        }
        nextRetryPull = now + RETRY_PULL_NANOS;
        return pull(retry, max, 0);
    }

    /**
     * Pulls as many as the poll asked for, within the room left: pulling more would hoard messages that other
     * consumers of the subscription could handle. Waits on the broker only while nothing is held here (a held
     * message may become deliverable any moment) and never past the poll's deadline.
     */
    private int pull(SubscriptionName source, int max, long remainingNanos) {
        int room = Math.min(room(), max);
        if (room <= 0) {
            return 0;
        }
        boolean wait;
        lock.lock();
        try {
            // The emulator's waiting pull does not wake up when messages arrive: poll it instead.
            wait = waiting.isEmpty() && remainingNanos > 0 && !options.emulator();
        } finally {
            lock.unlock();
        }
        PullRequest request = PullRequest.newBuilder().setSubscription(source.toString())
                .setMaxMessages(Math.min(room, 1000)).setReturnImmediately(!wait).build();
        PullResponse response;
        try {
            response = clients.subscriber().pullCallable().call(request, PubSubClients.within(wait
                    ? Duration.ofNanos(Math.max(50_000_000, Math.min(remainingNanos, LONGEST_PULL_NANOS)))
                    : options.requestTimeout()));
        } catch (DeadlineExceededException nothingCame) {
            return 0;
        }
        if (response.getReceivedMessagesCount() == 0) {
            return 0;
        }
        List<String> stale = new ArrayList<>();
        lock.lock();
        try {
            if (lifecycle.isClosed()) {
                response.getReceivedMessagesList().forEach(m -> stale.add(m.getAckId()));
            } else {
                for (ReceivedMessage message : response.getReceivedMessagesList()) {
                    accept(source, message, stale);
                }
            }
        } finally {
            lock.unlock();
        }
        if (!stale.isEmpty()) {
            // Pulled while closing, or not an event at all: give the former back, the latter is logged below.
            modify(source, stale, 0);
        }
        return response.getReceivedMessagesCount();
    }

    /** Takes a pulled message in; the caller holds the lock. */
    private void accept(SubscriptionName source, ReceivedMessage received, List<String> giveBack) {
        long now = System.nanoTime();
        String messageId = received.getMessage().getMessageId();
        Leased known = held.get(messageId);
        if (known != null) {
            // Redelivered while held (an expired lease, or a later message of a nacked key): keep the newest lease.
            known.ackId = received.getAckId();
            known.leaseUntilNanos = now + options.ackDeadline().toNanos();
            return;
        }
        CloudEvent event;
        try {
            event = EventCodec.decode(received.getMessage());
        } catch (CloudEventRWException | IllegalArgumentException e) {
            LOG.error("message {} of {} is not a binary-mode CloudEvent; it is left to Pub/Sub's dead-letter policy: {}",
                    messageId, source, e.getMessage());
            giveBack.add(received.getAckId());
            return;
        }
        Instant publishedAt = Instant.ofEpochSecond(received.getMessage().getPublishTime().getSeconds(),
                received.getMessage().getPublishTime().getNanos());
        long due = now;
        Duration delay = deliveryDelay;
        if (delay.isPositive() && source.equals(main)) {
            Duration left = Duration.between(Instant.now(), publishedAt.plus(delay));
            due = left.isPositive() ? now + left.toNanos() : now;
        }
        Leased leased = new Leased(nextSeq++, source, messageId, event, received.getMessage().getOrderingKey(),
                publishedAt, received.getAckId(), Math.max(1, received.getDeliveryAttempt()), due,
                now + options.ackDeadline().toNanos());
        waiting.put(leased.seq, leased);
        held.put(messageId, leased);
    }

    /** Hands out what is due, in arrival order, keeping per-key order on an ordered subscription. */
    private List<Delivery> takeReady(int max) {
        lock.lock();
        try {
            if (lifecycle.isClosed() || waiting.isEmpty()) {
                return List.of();
            }
            long now = System.nanoTime();
            Set<String> blocked = ordered ? new HashSet<>(busyKeys) : Set.of();
            List<Delivery> out = new ArrayList<>();
            for (Iterator<Leased> it = waiting.values().iterator(); it.hasNext() && out.size() < max; ) {
                Leased leased = it.next();
                boolean keyed = ordered && !leased.key.isEmpty();
                if (keyed && blocked.contains(leased.key)) {
                    continue;
                }
                if (leased.dueNanos - now > 0) {
                    if (keyed) {
                        blocked.add(leased.key);
                    }
                    continue;
                }
                it.remove();
                handedOut.put(leased.messageId, leased);
                if (keyed) {
                    busyKeys.add(leased.key);
                    blocked.add(leased.key);
                }
                out.add(new PubSubDelivery(this, leased, leased.event, subscription, leased.attempt, leased.publishedAt));
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Removes a handed-out message for settling; false when this consumer no longer holds it. */
    private boolean settling(Leased leased) {
        lock.lock();
        try {
            if (lifecycle.isClosed() || handedOut.get(leased.messageId) != leased) {
                return false;
            }
            handedOut.remove(leased.messageId);
            held.remove(leased.messageId);
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void releaseKey(Leased leased) {
        if (ordered && !leased.key.isEmpty()) {
            lock.lock();
            try {
                busyKeys.remove(leased.key);
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Queues the ack: queued acks go to Pub/Sub in one request a few milliseconds later (or when the consumer
     * closes), as Pub/Sub's own subscriber client does. An ack lost with the process only means a redelivery.
     */
    void ack(Leased leased) {
        if (!settling(leased)) {
            return;
        }
        boolean schedule;
        lock.lock();
        try {
            queuedAcks.computeIfAbsent(leased.source, s -> new ArrayList<>()).add(leased.ackId);
            schedule = !flushScheduled;
            flushScheduled = true;
        } finally {
            lock.unlock();
        }
        releaseKey(leased);
        if (schedule) {
            ackFlusher.schedule(this::flushAcks, ACK_BATCH_DELAY.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void flushAcks() {
        Map<SubscriptionName, List<String>> acks;
        lock.lock();
        try {
            acks = new HashMap<>(queuedAcks);
            queuedAcks.clear();
            flushScheduled = false;
        } finally {
            lock.unlock();
        }
        acks.forEach((source, ackIds) -> {
            try {
                for (int from = 0; from < ackIds.size(); from += IDS_PER_REQUEST) {
                    clients.subscriber().acknowledgeCallable().call(AcknowledgeRequest.newBuilder()
                            .setSubscription(source.toString())
                            .addAllAckIds(ackIds.subList(from, Math.min(ackIds.size(), from + IDS_PER_REQUEST))).build(),
                            PubSubClients.within(options.requestTimeout()));
                }
            } catch (ApiException e) {
                LOG.warn("acknowledging {} messages of {} failed; Pub/Sub delivers them again", ackIds.size(),
                        subscription, e);
            }
        });
    }

    void nack(Leased leased, Duration delay) {
        long seconds = (delay.toMillis() + 999) / 1000;
        if (seconds > MAX_DEADLINE_SECONDS) {
            // Longer than Pub/Sub's longest deadline: keep it here, leased, until due.
            lock.lock();
            try {
                if (lifecycle.isClosed() || handedOut.remove(leased.messageId) != leased) {
                    return;
                }
                leased.attempt++;
                leased.dueNanos = System.nanoTime() + delay.toNanos();
                waiting.put(leased.seq, leased);
                if (ordered && !leased.key.isEmpty()) {
                    busyKeys.remove(leased.key);
                }
            } finally {
                lock.unlock();
            }
            return;
        }
        if (!settling(leased)) {
            return;
        }
        List<String> ackIds = new ArrayList<>();
        ackIds.add(leased.ackId);
        if (ordered && !leased.key.isEmpty()) {
            // Pub/Sub redelivers the later messages of the key after this one; they must not pass it here.
            lock.lock();
            try {
                for (Iterator<Leased> it = waiting.values().iterator(); it.hasNext(); ) {
                    Leased later = it.next();
                    if (later.key.equals(leased.key) && later.source.equals(leased.source)) {
                        it.remove();
                        held.remove(later.messageId);
                        ackIds.add(later.ackId);
                    }
                }
            } finally {
                lock.unlock();
            }
        }
        try {
            settle(() -> modify(leased.source, ackIds, (int) seconds));
        } finally {
            releaseKey(leased);
        }
    }

    void deadLetter(Leased leased, String error) {
        if (!settling(leased)) {
            return;
        }
        try {
            settle(() -> {
                transport.bury(subscription, leased.event, leased.attempt, leased.publishedAt, error);
                clients.subscriber().acknowledgeCallable().call(AcknowledgeRequest.newBuilder()
                        .setSubscription(leased.source.toString()).addAckIds(leased.ackId).build(),
                        PubSubClients.within(options.requestTimeout()));
            });
        } finally {
            releaseKey(leased);
        }
    }

    private void settle(Runnable call) {
        try {
            call.run();
        } catch (ApiException e) {
            if (!lifecycle.isClosed()) {
                throw new TransportException("cannot settle a delivery of " + subscription + ": " + e.getMessage(), e);
            }
        }
    }

    /** Renews leases that would run out within half a deadline, at most once a second. */
    private void extendLeases() {
        long now = System.nanoTime();
        if (now - nextLeaseCheck < 0) {
            return;
        }
        nextLeaseCheck = now + 1_000_000_000L;
        long deadline = options.ackDeadline().toNanos();
        Map<SubscriptionName, List<String>> renew = new HashMap<>();
        lock.lock();
        try {
            for (Leased leased : held.values()) {
                if (leased.leaseUntilNanos - now < deadline / 2) {
                    leased.leaseUntilNanos = now + deadline;
                    renew.computeIfAbsent(leased.source, s -> new ArrayList<>()).add(leased.ackId);
                }
            }
        } finally {
            lock.unlock();
        }
        renew.forEach((source, ackIds) -> modify(source, ackIds, (int) options.ackDeadline().toSeconds()));
    }

    private void modify(SubscriptionName source, List<String> ackIds, int seconds) {
        for (int from = 0; from < ackIds.size(); from += IDS_PER_REQUEST) {
            clients.subscriber().modifyAckDeadlineCallable().call(ModifyAckDeadlineRequest.newBuilder()
                    .setSubscription(source.toString()).setAckDeadlineSeconds(seconds)
                    .addAllAckIds(ackIds.subList(from, Math.min(ackIds.size(), from + IDS_PER_REQUEST))).build(),
                    PubSubClients.within(options.requestTimeout()));
        }
    }

    /** Messages handed out and not settled. */
    int inFlight() {
        lock.lock();
        try {
            return handedOut.size();
        } finally {
            lock.unlock();
        }
    }

    String subscription() {
        return subscription;
    }

    /** Applies a subscription's new delivery delay to messages pulled from now on. */
    void deliveryDelay(Duration delay) {
        this.deliveryDelay = delay;
    }

    /** Stops pulling and gives every held message back to Pub/Sub for immediate redelivery. */
    @Override
    public void close() {
        if (!lifecycle.close()) {
            return;
        }
        flushAcks();
        Map<SubscriptionName, List<String>> release = new HashMap<>();
        lock.lock();
        try {
            for (Leased leased : held.values()) {
                release.computeIfAbsent(leased.source, s -> new ArrayList<>()).add(leased.ackId);
            }
            held.clear();
            waiting.clear();
            handedOut.clear();
            busyKeys.clear();
        } finally {
            lock.unlock();
        }
        release.forEach((source, ackIds) -> {
            try {
                modify(source, ackIds, 0);
            } catch (ApiException e) {
                LOG.warn("releasing {} messages of {} failed; Pub/Sub redelivers them when their leases run out",
                        ackIds.size(), subscription, e);
            }
        });
        transport.closed(this);
    }

    @Override
    public String toString() {
        return "PubSubConsumer[" + subscription + (lifecycle.isClosed() ? ", closed]" : "]");
    }
}
