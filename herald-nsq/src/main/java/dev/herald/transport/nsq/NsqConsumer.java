package dev.herald.transport.nsq;

import dev.herald.transport.Delivery;
import dev.herald.transport.TopicSignals;
import dev.herald.transport.TransportException;
import dev.herald.transport.spi.PollingConsumer;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.format.EventDeserializationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer of one subscription: a {@link ChannelReader} per nsqd and topic (the subscription's topic and its
 * private topic) pushes messages into a local queue, from which {@link #poll} hands out deliveries. Every message
 * nsqd sent and that is not settled is held in {@code unsettled} until FIN, REQ, or close, which REQs it with no
 * delay so that another consumer gets it at once.
 */
final class NsqConsumer extends PollingConsumer<List<Delivery>> {

    private static final Logger LOG = LoggerFactory.getLogger(NsqConsumer.class);
    /** An empty poll sleeps at most this long before it looks again (the signal usually wakes it first). */
    private static final long IDLE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final NsqTransport transport;
    private final StateFile.Subscription subscription;
    private final TopicSignals.Signal signal;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Pending> ready = new ArrayDeque<>();
    private final Set<Pending> unsettled = new HashSet<>();
    private final List<ChannelReader> readers = new ArrayList<>();
    private final ScheduledFuture<?> toucher;
    private boolean releasing;

    /**
     * A message nsqd sent on {@code connection}, not settled yet.
     *
     * @param connection  where it came from and where its FIN, REQ or TOUCH must go
     * @param message     as received
     * @param event       the structured JSON of the event
     * @param publishedAt when the event was first stored
     * @param receivedAt  when it arrived here
     * @param touchedAt   nanoTime of its arrival or last TOUCH
     */
    record Pending(NsqConnection connection, Protocol.Message message, byte[] event, Instant publishedAt,
                   Instant receivedAt, AtomicLong touchedAt) {
    }

    private NsqConsumer(NsqTransport transport, StateFile.Subscription subscription, TopicSignals.Signal signal) {
        super(subscription.name(), signal);
        this.transport = transport;
        this.subscription = subscription;
        this.signal = signal;
        NsqOptions options = transport.options();
        long touchEvery = options.messageTimeout().toMillis() / 3;
        this.toucher = transport.scheduler().scheduleAtFixedRate(this::touchOld, touchEvery, touchEvery, TimeUnit.MILLISECONDS);
    }

    /** Opens a consumer and starts reading the subscription's topic and private topic from every nsqd. */
    static NsqConsumer open(NsqTransport transport, StateFile.Subscription subscription) {
        NsqConsumer consumer = new NsqConsumer(transport, subscription, new TopicSignals.Signal());
        List<String> addresses = transport.http().nsqdAddresses(subscription.topic());
        int window = Math.max(1, transport.options().maxInFlight() / addresses.size());
        String clientId = "herald-" + subscription.name();
        consumer.lock.lock();
        try {
            for (String address : addresses) {
                for (String topic : List.of(subscription.topic(), NsqTransport.privateTopic(subscription))) {
                    consumer.readers.add(new ChannelReader(address, topic, subscription.name(), window,
                            transport.options(), clientId, consumer.new Sink(topic)));
                }
            }
        } finally {
            consumer.lock.unlock();
        }
        return consumer;
    }

    /** Receives the messages of one topic's channel. */
    private final class Sink implements ChannelReader.Sink {
        private final boolean privateTopic;

        Sink(String topic) {
            this.privateTopic = !topic.equals(subscription.topic());
        }

        @Override
        public void message(ChannelReader reader, NsqConnection connection, Protocol.Message message) {
            received(connection, message, privateTopic);
        }

        @Override
        public void lost(NsqConnection connection) {
            forget(connection);
        }
    }

    private void received(NsqConnection connection, Protocol.Message message, boolean privateTopic) {
        byte[] event;
        Instant publishedAt;
        if (privateTopic) {
            if (message.body().length < PrivateBody.HEADER) {
                // Not written by Herald: finishing it is all anyone can do; redelivering it would loop forever.
                LOG.warn("message {} on the private topic of {} has no publish time, finishing it", message.id(),
                        subscription.name());
                sendQuietly(connection, Protocol.fin(message.id()));
                return;
            }
            PrivateBody body = PrivateBody.decode(message.body());
            event = body.event();
            publishedAt = instant(body.publishedAtNanos());
        } else {
            event = message.body();
            publishedAt = instant(message.timestampNanos());
        }
        Pending pending = new Pending(connection, message, event, publishedAt, Instant.now(), new AtomicLong(System.nanoTime()));
        lock.lock();
        try {
            if (releasing) {
                send(pending, Protocol.req(message.id(), Duration.ZERO));
                return;
            }
            unsettled.add(pending);
        } finally {
            lock.unlock();
        }
        // Private-topic messages were deferred already (DPUB) or redriven: due on arrival.
        Duration early = privateTopic ? Duration.ZERO
                : Duration.between(Instant.now(), publishedAt.plusNanos(subscription.deliveryDelayNanos()));
        if (!early.isPositive()) {
            makeReady(pending);
        } else if (early.compareTo(transport.options().messageTimeout().dividedBy(2)) <= 0) {
            // Held here, in flight on nsqd, until due: its attempt count stays exact.
            transport.scheduler().schedule(() -> makeReady(pending), early.toNanos(), TimeUnit.NANOSECONDS);
        } else {
            deferLong(pending, early);
        }
    }

    /** Too long to hold in flight: a fresh message on the private topic, due then, replaces this one. */
    private void deferLong(Pending pending, Duration early) {
        Duration delay = early.compareTo(transport.options().maxRequeueDelay()) > 0
                ? transport.options().maxRequeueDelay() : early;
        if (!claim(pending)) {
            return;
        }
        try {
            transport.publisher().publishDeferred(NsqTransport.privateTopic(subscription),
                    new PrivateBody(nanos(pending.publishedAt()), pending.event()).encode(), delay);
            send(pending, Protocol.fin(pending.message().id()));
        } catch (RuntimeException e) {
            LOG.warn("cannot defer a message of {} on its private topic, requeueing it: {}", subscription.name(), e.toString());
            send(pending, Protocol.req(pending.message().id(), delay));
        }
    }

    private void makeReady(Pending pending) {
        lock.lock();
        try {
            if (!unsettled.contains(pending)) {
                return; // released or lost meanwhile
            }
            ready.add(pending);
        } finally {
            lock.unlock();
        }
        signal.raise();
    }

    @Override
    protected List<Delivery> lease(int max) {
        List<Delivery> batch = new ArrayList<>();
        while (batch.size() < max) {
            Pending pending;
            lock.lock();
            try {
                pending = ready.poll();
            } finally {
                lock.unlock();
            }
            if (pending == null) {
                break;
            }
            CloudEvent event;
            try {
                event = NsqTransport.decode(pending.event());
            } catch (EventDeserializationException | IllegalArgumentException e) {
                // Not a CloudEvent: nothing any handler can do with it.
                deadLetterUndecodable(pending, e);
                continue;
            }
            batch.add(new NsqDelivery(this, pending, event, subscription.name(), pending.message().attempts(),
                    pending.publishedAt()));
        }
        return batch;
    }

    private void deadLetterUndecodable(Pending pending, RuntimeException e) {
        if (claim(pending)) {
            LOG.warn("message {} of {} is not a structured CloudEvent, finishing it: {}", pending.message().id(),
                    subscription.name(), e.toString());
            send(pending, Protocol.fin(pending.message().id()));
        }
    }

    @Override
    protected List<Delivery> deliveries(List<Delivery> batch) {
        return batch;
    }

    @Override
    protected long waitNanos(List<Delivery> batch) {
        return IDLE_WAIT_NANOS;
    }

    void ack(Pending pending) {
        settleIfOpen(() -> {
            if (claim(pending)) {
                send(pending, Protocol.fin(pending.message().id()));
            }
        });
    }

    void nack(Pending pending, Duration delay) {
        Duration capped = delay.compareTo(transport.options().maxRequeueDelay()) > 0
                ? transport.options().maxRequeueDelay() : delay;
        settleIfOpen(() -> {
            if (claim(pending)) {
                send(pending, Protocol.req(pending.message().id(), capped));
            }
        });
    }

    void deadLetter(NsqDelivery delivery, Pending pending, String error) {
        settleIfOpen(() -> {
            if (!claim(pending)) {
                return;
            }
            Instant firstAttempt = delivery.attempt() == 1 ? pending.receivedAt()
                    : pending.publishedAt().plusNanos(subscription.deliveryDelayNanos());
            try {
                transport.state().addDeadLetter(subscription.name(), new String(pending.event(), StandardCharsets.UTF_8),
                        nanos(pending.publishedAt()), delivery.attempt(), error, firstAttempt);
            } catch (TransportException e) {
                // Not stored: nsqd delivers it again rather than losing it.
                send(pending, Protocol.req(pending.message().id(), Duration.ZERO));
                throw e;
            }
            send(pending, Protocol.fin(pending.message().id()));
        });
    }

    /** Takes a message out of {@code unsettled}: true for the one caller that may settle it. */
    private boolean claim(Pending pending) {
        lock.lock();
        try {
            ready.remove(pending);
            return unsettled.remove(pending);
        } finally {
            lock.unlock();
        }
    }

    /** A connection broke: nsqd requeues its messages; settling them here would go nowhere. */
    private void forget(NsqConnection connection) {
        lock.lock();
        try {
            unsettled.removeIf(p -> p.connection() == connection);
            ready.removeIf(p -> p.connection() == connection);
        } finally {
            lock.unlock();
        }
    }

    /** TOUCHes messages held longer than half the message timeout, so nsqd does not redeliver them meanwhile. */
    private void touchOld() {
        long threshold = System.nanoTime() - transport.options().messageTimeout().toNanos() / 2;
        List<Pending> old = new ArrayList<>();
        lock.lock();
        try {
            for (Pending pending : unsettled) {
                if (pending.touchedAt().get() < threshold) {
                    old.add(pending);
                }
            }
        } finally {
            lock.unlock();
        }
        for (Pending pending : old) {
            pending.touchedAt().set(System.nanoTime());
            send(pending, Protocol.touch(pending.message().id()));
        }
    }

    @Override
    protected void release() {
        List<Pending> held;
        lock.lock();
        try {
            releasing = true;
            held = new ArrayList<>(unsettled);
            unsettled.clear();
            ready.clear();
        } finally {
            lock.unlock();
        }
        toucher.cancel(false);
        for (Pending pending : held) {
            send(pending, Protocol.req(pending.message().id(), Duration.ZERO));
        }
        List<ChannelReader> all;
        lock.lock();
        try {
            all = List.copyOf(readers);
        } finally {
            lock.unlock();
        }
        all.forEach(ChannelReader::stop);
    }

    @Override
    protected void closed() {
        transport.consumerClosed(this);
    }

    private static void send(Pending pending, byte[] command) {
        sendQuietly(pending.connection(), command);
    }

    private static void sendQuietly(NsqConnection connection, byte[] command) {
        try {
            connection.send(command);
        } catch (IOException e) {
            // The connection is gone: nsqd requeues the message itself.
            LOG.debug("nsqd {}: cannot send {}: {}", connection.address(), new String(command, 0,
                    Math.min(command.length, 40), StandardCharsets.US_ASCII).strip(), e.toString());
        }
    }

    private static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    private static long nanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }
}
