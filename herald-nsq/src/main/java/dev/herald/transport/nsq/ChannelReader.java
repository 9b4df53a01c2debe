package dev.herald.transport.nsq;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one channel of one topic from one nsqd: connects, SUBs, announces RDY and hands every message to its
 * {@link Sink}; reconnects after a lost connection until stopped (nsqd requeues what was in flight on a lost
 * connection). It renews RDY once a quarter of the window was used, as the specification's decrementing count asks;
 * for an nsqd that treats RDY as an in-flight window, sending it again changes nothing.
 */
final class ChannelReader {

    private static final Logger LOG = LoggerFactory.getLogger(ChannelReader.class);
    private static final Duration RECONNECT_DELAY = Duration.ofMillis(500);

    /** Where messages go. */
    interface Sink {
        /** A message arrived on {@code connection}; called from the reader's thread. */
        void message(ChannelReader reader, NsqConnection connection, Protocol.Message message);

        /** The connection broke: its unsettled messages are nsqd's to redeliver. */
        void lost(NsqConnection connection);
    }

    private final String address;
    private final String topic;
    private final String channel;
    private final int ready;
    private final NsqOptions options;
    private final String clientId;
    private final Sink sink;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile NsqConnection connection;
    private final Thread thread;

    ChannelReader(String address, String topic, String channel, int ready, NsqOptions options, String clientId, Sink sink) {
        this.address = address;
        this.topic = topic;
        this.channel = channel;
        this.ready = ready;
        this.options = options;
        this.clientId = clientId;
        this.sink = sink;
        this.thread = Thread.ofVirtual().name("herald-nsq-reader-" + topic + "/" + channel + "@" + address).start(this::run);
    }

    private void run() {
        try {
            while (!stopping) {
                try (NsqConnection opened = NsqConnection.open(address, options, clientId)) {
                    connection = opened;
                    if (stopping) {
                        return;
                    }
                    opened.send(Protocol.sub(topic, channel));
                    opened.awaitResponse("SUB " + topic + " " + channel);
                    read(opened);
                    return; // CLOSE_WAIT: stopped on purpose
                } catch (IOException | RuntimeException e) {
                    if (connection != null) {
                        sink.lost(connection);
                    }
                    if (!stopping) {
                        LOG.warn("nsqd {}: reading {}/{} failed, reconnecting: {}", address, topic, channel, e.toString());
                        sleep(RECONNECT_DELAY);
                    }
                } finally {
                    connection = null;
                }
            }
        } finally {
            finished.countDown();
        }
    }

    private void read(NsqConnection opened) throws IOException {
        opened.send(Protocol.rdy(ready));
        int sinceRdy = 0;
        while (true) {
            switch (opened.read()) {
                case Protocol.Message message -> {
                    sink.message(this, opened, message);
                    if (++sinceRdy >= Math.max(1, ready / 4) && !stopping) {
                        opened.send(Protocol.rdy(ready));
                        sinceRdy = 0;
                    }
                }
                case Protocol.Response response when response.isHeartbeat() -> opened.send(Protocol.nop());
                case Protocol.Response response when Protocol.CLOSE_WAIT.equals(response.text()) -> {
                    return;
                }
                case Protocol.Response response -> LOG.debug("nsqd {}: {}", address, response.text());
                case Protocol.Error error when error.isFatal() -> throw new IOException("nsqd " + address + ": " + error.text());
                case Protocol.Error error -> LOG.debug("nsqd {}: {}", address, error.text());
            }
        }
    }

    /** Sends a command; false when the connection failed. */
    private static boolean send(NsqConnection on, byte[] command) {
        try {
            on.send(command);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Stops: RDY 0 and CLS, waits briefly for nsqd's CLOSE_WAIT, then closes the connection. Messages that still
     * arrive meanwhile are the sink's to requeue.
     */
    void stop() {
        stopping = true;
        NsqConnection current = connection;
        if (current != null) {
            send(current, Protocol.rdy(0));
            send(current, Protocol.cls());
        }
        try {
            if (!finished.await(1, TimeUnit.SECONDS)) {
                NsqConnection stuck = connection;
                if (stuck != null) {
                    stuck.close();
                }
                thread.interrupt();
                finished.await(1, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
