package dev.herald.server.subscriptions;

import dev.herald.event.JsonEvents;
import dev.herald.server.config.ServerConfig;
import dev.herald.server.subscriptions.SubscriptionException.Conflict;
import dev.herald.server.subscriptions.SubscriptionException.Conflict.Reason;
import dev.herald.transport.Capability;
import dev.herald.transport.Consumer;
import dev.herald.transport.Delivery;
import dev.herald.transport.Transport;
import io.cloudevents.CloudEvent;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streaming pull over Server-Sent Events. Each stream owns a transport {@link Consumer} of its
 * subscription: events it polls (and that pass the subscription's filter) are written as SSE
 * messages and wait, un-acked, until the client acks them ({@code POST …/acks}), nacks them, their
 * ack deadline passes (they are delivered again, or dead-lettered after the last attempt), or the
 * stream ends (closing the consumer releases them for redelivery). Acks settle the transport
 * deliveries directly, so "acked" means exactly what it means to the transport.
 *
 * <p>Several streams of one subscription share its events when the transport has
 * {@link Capability#CONSUMER_GROUPS}; otherwise a second stream is refused.
 */
final class PullStreams implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PullStreams.class);
    private static final Duration POLL_WAIT = Duration.ofMillis(250);
    private static final int POLL_BATCH = 100;

    /** What an ack or nack call did. */
    record Settled(int settled, int deadLettered, List<String> unknown) {
    }

    private final Transport transport;
    private final SubscriptionSettings settings;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    /** Open streams per token, for {@link SubscriptionLimits#streamsPerToken()}. */
    private final Map<String, Integer> streamsByToken = new ConcurrentHashMap<>();
    private final AtomicLong streamIds = new AtomicLong();
    private volatile boolean closed;

    private final ReadActivity reads;

    PullStreams(Transport transport, SubscriptionSettings settings, ReadActivity reads) {
        this.transport = transport;
        this.settings = settings;
        this.reads = reads;
    }

    private void read(String subscriptionId, boolean always) {
        try {
            reads.read(subscriptionId, Instant.now(settings.clock()), always);
        } catch (RuntimeException e) {
            // A missed write only makes the subscription look idle a little longer than it is.
            LOG.warn("subscription {}: cannot record the read: {}", subscriptionId, e.toString());
        }
    }

    /** One subscription's streams and the events they handed out that wait for an ack. */
    private static final class Session {
        final Map<String, Pending> pending = new ConcurrentHashMap<>();
        final Set<Stream> streams = ConcurrentHashMap.newKeySet();
        volatile Instant lastActive;
    }

    /** One connected client. */
    private static final class Stream {
        final long id;
        final AtomicInteger outstanding = new AtomicInteger();
        volatile boolean closed;

        Stream(long id) {
            this.id = id;
        }
    }

    /** An event handed to a stream, waiting for its ack. */
    private record Pending(Delivery delivery, Stream stream, long deadlineNanos) {
    }

    /** Streams connected to a subscription. */
    int connected(String subscriptionId) {
        Session session = sessions.get(subscriptionId);
        return session == null ? 0 : session.streams.size();
    }

    /** Events handed out and not yet acked. */
    int outstanding(String subscriptionId) {
        Session session = sessions.get(subscriptionId);
        return session == null ? 0 : session.pending.size();
    }

    /** When a stream of the subscription last ended, if one did. */
    Optional<Instant> lastActive(String subscriptionId) {
        Session session = sessions.get(subscriptionId);
        return session == null ? Optional.empty() : Optional.ofNullable(session.lastActive);
    }

    /**
     * Serves one stream until the client goes away, the subscription is deleted, or the server stops.
     *
     * @param tokenId     the token opening the stream, counted against
     *                    {@link SubscriptionLimits#streamsPerToken()} while the stream is open
     * @param lastEventId the client's {@code Last-Event-ID}, for the greeting comment only: un-acked
     *                    events are always sent again, acked ones never
     * @throws SubscriptionException.LimitReached when the token already holds as many streams as allowed
     */
    void serve(SubscriptionManager.Managed managed, String tokenId, HttpServletResponse response, int maxOutstanding,
               String lastEventId, BooleanSupplier serverStopping) {
        reserveStream(tokenId);
        try {
            serve(managed, response, maxOutstanding, lastEventId, serverStopping);
        } finally {
            streamsByToken.computeIfPresent(tokenId, (token, open) -> open == 1 ? null : open - 1);
        }
    }

    private void reserveStream(String tokenId) {
        int limit = settings.limits().streamsPerToken();
        int[] open = new int[1];
        streamsByToken.compute(tokenId, (token, count) -> {
            open[0] = count == null ? 0 : count;
            return open[0] < limit ? open[0] + 1 : count;
        });
        if (open[0] >= limit) {
            String setting = ServerConfig.LIMITS_STREAMS_PER_TOKEN.name();
            throw new SubscriptionException.LimitReached(setting, "at most " + limit + " open streams per token",
                    open[0], "token " + tokenId + " already holds " + open[0] + " open streams, the most " + setting
                            + " allows; close one first");
        }
    }

    /** Open streams per token. */
    int openStreams(String tokenId) {
        return streamsByToken.getOrDefault(tokenId, 0);
    }

    private void serve(SubscriptionManager.Managed managed, HttpServletResponse response, int maxOutstanding,
                       String lastEventId, BooleanSupplier serverStopping) {
        Session session = sessions.computeIfAbsent(managed.id(), id -> new Session());
        Stream stream = new Stream(streamIds.incrementAndGet());
        synchronized (session) {
            if (!transport.capabilities().contains(Capability.CONSUMER_GROUPS) && !session.streams.isEmpty()) {
                throw new Conflict(Reason.STREAM_CONNECTED, "the " + transport.name() + " transport lets "
                        + "only one stream read subscription " + managed.id() + " at a time");
            }
            session.streams.add(stream);
        }
        Consumer consumer = null;
        try {
            consumer = transport.openConsumer(managed.transportName());
            response.setStatus(200);
            response.setContentType("text/event-stream");
            response.setCharacterEncoding("utf-8");
            response.setHeader("Cache-Control", "no-cache");
            response.setHeader("X-Accel-Buffering", "no");
            OutputStream out = response.getOutputStream();
            StringBuilder greeting = new StringBuilder("retry: 2000\n: herald subscription ").append(managed.id());
            if (lastEventId != null) {
                greeting.append("; resuming after ").append(oneLine(lastEventId))
                        .append(": events not acked yet are sent again");
            }
            write(out, greeting.append("\n\n").toString());
            read(managed.id(), true);
            LOG.info("subscription {}: stream {} connected{}", managed.id(), stream.id,
                    lastEventId == null ? "" : " (Last-Event-ID " + lastEventId + ")");
            loop(managed, session, stream, consumer, out, maxOutstanding, serverStopping);
        } catch (IOException e) {
            LOG.debug("subscription {}: stream {} went away: {}", managed.id(), stream.id, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (managed.deleted() || closed) {
                LOG.debug("subscription {}: stream {} ended by deletion or shutdown: {}", managed.id(), stream.id,
                        e.toString());
            } else if (response.isCommitted()) {
                LOG.warn("subscription {}: stream {} failed", managed.id(), stream.id, e);
            } else {
                throw e;
            }
        } finally {
            stream.closed = true;
            session.streams.remove(stream);
            int released = 0;
            for (Map.Entry<String, Pending> entry : List.copyOf(session.pending.entrySet())) {
                if (entry.getValue().stream() == stream && session.pending.remove(entry.getKey(), entry.getValue())) {
                    released++;
                }
            }
            if (consumer != null) {
                consumer.close();   // releases this stream's un-acked deliveries for redelivery
            }
            session.lastActive = Instant.now(settings.clock());
            read(managed.id(), true);
            LOG.info("subscription {}: stream {} ended, {} un-acked events released for redelivery",
                    managed.id(), stream.id, released);
        }
    }

    private void loop(SubscriptionManager.Managed managed, Session session, Stream stream, Consumer consumer,
                      OutputStream out, int maxOutstanding, BooleanSupplier serverStopping)
            throws IOException, InterruptedException {
        long keepAliveNanos = settings.sseKeepAlive().toNanos();
        long lastWrite = System.nanoTime();
        // Polled while a pause arrived: kept (leased to this stream) and sent once resumed.
        List<Delivery> held = new ArrayList<>();
        while (!closed && !stream.closed && !managed.deleted() && !serverStopping.getAsBoolean()) {
            expire(managed, session, stream);
            int room = maxOutstanding - stream.outstanding.get() - held.size();
            if (managed.record().status() == Status.ACTIVE && room > 0) {
                held.addAll(consumer.poll(Math.min(room, POLL_BATCH), POLL_WAIT));
            } else {
                Thread.sleep(POLL_WAIT);
            }
            SubscriptionRecord record = managed.record();
            List<Delivery> deliveries = List.of();
            if (record.status() == Status.ACTIVE) {
                deliveries = List.copyOf(held);
                held.clear();
            }
            StringBuilder frames = new StringBuilder();
            long deadline = System.nanoTime() + record.definition().delivery().ackDeadline().toNanos();
            for (Delivery delivery : deliveries) {
                CloudEvent event = delivery.event();
                if (!managed.filter().matches(event)) {
                    delivery.ack();
                    continue;
                }
                Pending previous = session.pending.put(event.getId(), new Pending(delivery, stream, deadline));
                if (previous != null) {
                    previous.stream().outstanding.decrementAndGet();
                }
                stream.outstanding.incrementAndGet();
                frames.append("id: ").append(oneLine(event.getId())).append('\n')
                        .append("event: ").append(oneLine(event.getType())).append('\n')
                        .append("data: ").append(new String(JsonEvents.write(event), StandardCharsets.UTF_8))
                        .append("\n\n");
            }
            long now = System.nanoTime();
            if (!frames.isEmpty()) {
                write(out, frames.toString());
                lastWrite = now;
            } else if (now - lastWrite >= keepAliveNanos) {
                write(out, ": keep-alive\n\n");
                lastWrite = now;
            }
        }
    }

    /** Settles this stream's events whose ack deadline passed: delivered again, or dead-lettered after the last attempt. */
    private void expire(SubscriptionManager.Managed managed, Session session, Stream stream) {
        long now = System.nanoTime();
        for (Map.Entry<String, Pending> entry : session.pending.entrySet()) {
            Pending pending = entry.getValue();
            if (pending.stream() == stream && pending.deadlineNanos() - now <= 0
                    && session.pending.remove(entry.getKey(), pending)) {
                stream.outstanding.decrementAndGet();
                DeliverySpec delivery = managed.record().definition().delivery();
                int attempt = pending.delivery().attempt();
                if (attempt >= delivery.maxAttempts()) {
                    pending.delivery().deadLetter("not acked within the ack deadline of "
                            + Durations.format(delivery.ackDeadline()) + " on attempt " + attempt + " of "
                            + delivery.maxAttempts());
                } else {
                    pending.delivery().nack(Duration.ZERO);
                }
            }
        }
    }

    /** Acks events by id. */
    Settled ack(String subscriptionId, List<String> eventIds) {
        read(subscriptionId, false);
        Session session = sessions.get(subscriptionId);
        int acked = 0;
        List<String> unknown = new ArrayList<>();
        for (String id : eventIds) {
            Pending pending = session == null ? null : session.pending.remove(id);
            if (pending == null) {
                unknown.add(id);
                continue;
            }
            pending.stream().outstanding.decrementAndGet();
            pending.delivery().ack();
            acked++;
        }
        return new Settled(acked, 0, unknown);
    }

    /**
     * Nacks events by id: delivered again after {@code delay} (or the subscription's backoff), or
     * dead-lettered when it was the last attempt.
     */
    Settled nack(SubscriptionManager.Managed managed, List<String> eventIds, Duration delay) {
        read(managed.id(), false);
        Session session = sessions.get(managed.id());
        DeliverySpec spec = managed.record().definition().delivery();
        int nacked = 0;
        int dead = 0;
        List<String> unknown = new ArrayList<>();
        for (String id : eventIds) {
            Pending pending = session == null ? null : session.pending.remove(id);
            if (pending == null) {
                unknown.add(id);
                continue;
            }
            pending.stream().outstanding.decrementAndGet();
            int attempt = pending.delivery().attempt();
            if (attempt >= spec.maxAttempts()) {
                pending.delivery().deadLetter("nacked by the client on attempt " + attempt + " of "
                        + spec.maxAttempts());
                dead++;
            } else {
                pending.delivery().nack(delay != null ? delay
                        : spec.policy(settings.defaultPolicy()).backoff().delayAfter(attempt));
                nacked++;
            }
        }
        return new Settled(nacked, dead, unknown);
    }

    /** Ends every stream of a subscription (it is being deleted). */
    void closeAll(String subscriptionId) {
        Session session = sessions.remove(subscriptionId);
        if (session == null) {
            return;
        }
        session.streams.forEach(stream -> stream.closed = true);
        long giveUp = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!session.streams.isEmpty() && System.nanoTime() < giveUp) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Ends every stream (the server stops); their un-acked events are released. */
    @Override
    public void close() {
        closed = true;
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** A value safe on one SSE line. */
    private static String oneLine(String text) {
        return text.indexOf('\n') < 0 && text.indexOf('\r') < 0 ? text : text.replaceAll("[\r\n]", " ");
    }
}
