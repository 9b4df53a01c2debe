package dev.herald.transport.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.herald.transport.InvalidCursorException;
import dev.herald.transport.LogEntry;
import dev.herald.transport.LogPage;
import dev.herald.transport.LogQuery;
import dev.herald.transport.TransportException;
import io.cloudevents.CloudEvent;
import io.cloudevents.rw.CloudEventRWException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link dev.herald.transport.Transport#query} on RabbitMQ: a bounded scan of the topic's stream, which has
 * offsets and chunk timestamps but no index on event attributes.
 *
 * <ol>
 *   <li><b>Where to start.</b> A cursor names the stream offset to read next. Without one, the scan starts at
 *       the stream's first retained message, or, when the filter has a time lower bound, at the chunk stored at
 *       that time less {@link StreamReplay#SKEW} ({@code x-stream-offset} with a timestamp, one-second chunk
 *       precision). A stream delivers whole chunks, so messages before the starting offset are dropped here.</li>
 *   <li><b>Where to stop.</b> AMQP 0-9-1 does not tell a stream's last offset (a stream's message count reads
 *       0), so a page first appends a marker to the stream, confirmed, and reads up to it: a page is a snapshot
 *       of what was stored when it began, and the last page's cursor polls for newer events. The marker costs
 *       one confirmed publish of a few bytes per page; it is no event (replay and queries skip markers).</li>
 *   <li><b>The scan.</b> Messages are decoded and tested with the filter in stream order (publish order) until
 *       the page holds the query's limit, or {@code maxScan} events were examined (the page then ends with
 *       {@link LogPage.End#SCAN_LIMIT} unless the marker comes next), or the marker is reached. The cursor
 *       continues after the last message examined, so pages neither repeat nor skip.</li>
 * </ol>
 *
 * <p>Thread-safe: each page reads on a channel of its own.
 */
final class StreamScanner {

    private static final Logger LOG = LoggerFactory.getLogger(StreamScanner.class);
    private static final String CURSOR_PREFIX = "r:";
    private static final Pattern CURSOR = Pattern.compile("r:\\d{1,18}");
    /** Unacknowledged deliveries in flight per page: enough to keep the stream streaming, bounded memory. */
    private static final int PREFETCH = 500;

    private record Message(long offset, AMQP.BasicProperties props, byte[] body) {
    }

    private final Connection connection;
    private final Names names;
    private final Topology topology;
    private final Publisher publisher;
    private final Duration idleTimeout;

    StreamScanner(Connection connection, Names names, Topology topology, Publisher publisher, Duration idleTimeout) {
        this.connection = connection;
        this.names = names;
        this.topology = topology;
        this.publisher = publisher;
        this.idleTimeout = idleTimeout;
    }

    LogPage page(LogQuery query, String transport) {
        long after = parse(query.after(), transport);
        String stream = names.stream(query.topic());
        if (!topology.topicExists(query.topic())) {
            // An unknown topic reads as empty; its cursor starts at the first offset the stream will have.
            return new LogPage(List.of(), encode(Math.max(after, 0)), LogPage.End.CAUGHT_UP, 0);
        }
        String token = UUID.randomUUID().toString();
        publisher.publish(List.of(new Publisher.Outgoing("", stream, Messages.marker(token), new byte[0])));
        Channel channel = null;
        String tag = null;
        AtomicBoolean reading = new AtomicBoolean(true);
        try {
            channel = connection.createChannel();
            BlockingDeque<Message> received = new LinkedBlockingDeque<>();
            tag = consume(channel, stream, start(query, after), received, reading);
            return new Scan(query, stream, token, received, Math.max(after, 0)).run();
        } catch (IOException e) {
            throw new TransportException("cannot query stream " + stream + ": " + Topology.rootMessage(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted while querying stream " + stream, e);
        } finally {
            // No more credit: the broker stops streaming at once, so the cancel is not queued behind deliveries.
            reading.set(false);
            if (channel != null) {
                stopReading(channel, tag);
            }
        }
    }

    /**
     * Cancels the stream consumer before closing its channel: the broker keeps streaming deliveries until the
     * cancel is confirmed, and a delivery arriving after the close, on a channel number the client already
     * reused, would close the whole connection ("unsolicited delivery").
     */
    static void stopReading(Channel channel, String tag) {
        try {
            if (tag != null && channel.isOpen()) {
                channel.basicCancel(tag);
            }
        } catch (IOException | RuntimeException e) {
            // The channel is closed next anyway.
        }
        Publisher.closeQuietly(channel);
    }

    /** The {@code x-stream-offset} to start at: the cursor's offset, a time less the skew, or the first. */
    private static Object start(LogQuery query, long after) {
        if (after >= 0) {
            return after;
        }
        Instant from = query.filter().timeFrom();
        if (from == null) {
            return "first";
        }
        Instant early = from.minus(StreamReplay.SKEW);
        return Date.from(early.isBefore(Instant.EPOCH) ? Instant.EPOCH : early);
    }

    /** Starts reading the stream into {@code received} while {@code reading}; returns the consumer tag. */
    private static String consume(Channel channel, String stream, Object offset, BlockingDeque<Message> received,
                                  AtomicBoolean reading) throws IOException {
        channel.basicQos(PREFETCH);
        return channel.basicConsume(stream, false, Map.of("x-stream-offset", offset), new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body)
                    throws IOException {
                if (!reading.get()) {
                    return;
                }
                long at = Messages.number(props, Messages.STREAM_OFFSET).orElseThrow(() -> new IOException(
                        "a message of stream " + stream + " carries no " + Messages.STREAM_OFFSET + " header"));
                received.add(new Message(at, props, body));
                // A stream's acknowledgement only returns credit: the next messages flow.
                try {
                    channel.basicAck(envelope.getDeliveryTag(), false);
                } catch (AlreadyClosedException e) {
                    // The page ended and closed the channel meanwhile.
                }
            }
        });
    }

    /** One page read from one consuming channel. */
    private final class Scan {
        private final LogQuery query;
        private final String stream;
        private final String token;
        private final BlockingDeque<Message> received;
        /** The offset after the last message examined: the cursor. */
        private long next;
        private final List<LogEntry> entries = new ArrayList<>();
        private int scanned;

        Scan(LogQuery query, String stream, String token, BlockingDeque<Message> received, long from) {
            this.query = query;
            this.stream = stream;
            this.token = token;
            this.received = received;
            this.next = from;
        }

        LogPage run() throws InterruptedException {
            while (scanned < query.maxScan()) {
                Message message = nextEvent();
                if (message == null) {
                    return page(LogPage.End.CAUGHT_UP);
                }
                scanned++;
                next = message.offset() + 1;
                CloudEvent event = decode(message);
                if (event != null && query.filter().matches(event)) {
                    entries.add(new LogEntry(Long.toString(message.offset()),
                            Messages.publishedAt(message.props()), event));
                    if (entries.size() == query.limit()) {
                        return page(LogPage.End.FULL);
                    }
                }
            }
            // Budget spent: caught up only when this page's marker is what follows.
            return page(peekIsOwnMarker() ? LogPage.End.CAUGHT_UP : LogPage.End.SCAN_LIMIT);
        }

        private LogPage page(LogPage.End end) {
            return new LogPage(entries, encode(next), end, scanned);
        }

        /**
         * The next event at or after the cursor, skipping markers; null at this page's marker, after which the
         * cursor continues.
         */
        private Message nextEvent() throws InterruptedException {
            while (true) {
                Message message = take();
                if (message.offset() < next) {
                    continue;
                }
                var marker = Messages.text(message.props(), Messages.MARKER);
                if (marker.isEmpty()) {
                    return message;
                }
                next = message.offset() + 1;
                if (marker.get().equals(token)) {
                    return null;
                }
            }
        }

        /** Whether this page's marker comes next (passing other markers); an event found is put back. */
        private boolean peekIsOwnMarker() throws InterruptedException {
            Message message = nextEvent();
            if (message == null) {
                return true;
            }
            received.putFirst(message);
            return false;
        }

        private Message take() throws InterruptedException {
            Message message = received.poll(idleTimeout.toMillis(), TimeUnit.MILLISECONDS);
            if (message == null) {
                throw new TransportException("reading stream " + stream + " stalled for " + idleTimeout
                        + " before reaching the query's marker");
            }
            return message;
        }

        private CloudEvent decode(Message message) {
            try {
                return Messages.event(message.body());
            } catch (CloudEventRWException | IllegalArgumentException e) {
                LOG.warn("query of {} skips stream offset {}: not a CloudEvent ({})", stream, message.offset(),
                        e.getMessage());
                return null;
            }
        }
    }

    /** {@code r:} and the stream offset to read next. */
    private static String encode(long next) {
        return CURSOR_PREFIX + next;
    }

    /** The cursor's offset, or -1 without a cursor. */
    private static long parse(String cursor, String transport) {
        if (cursor == null) {
            return -1;
        }
        if (!CURSOR.matcher(cursor).matches()) {
            throw new InvalidCursorException(cursor, transport);
        }
        return Long.parseLong(cursor.substring(CURSOR_PREFIX.length()));
    }
}
