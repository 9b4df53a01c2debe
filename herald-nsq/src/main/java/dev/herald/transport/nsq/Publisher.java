package dev.herald.transport.nsq;

import dev.herald.transport.TransportException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Publishes with PUB, MPUB and DPUB over one connection shared by every publishing thread. nsqd answers a
 * connection's commands in order, so commands are pipelined: each write queues a pending answer under the write
 * lock, and a reader thread completes them in order ({@code OK}, or an error frame). A publish returns once nsqd
 * answered {@code OK} to every command it sent; a broken connection fails what was pending and the next publish
 * opens a new one.
 */
final class Publisher implements AutoCloseable {

    private final NsqOptions options;
    private final String clientId;
    private final ReentrantLock connectLock = new ReentrantLock();
    private volatile Link link;
    private volatile boolean closed;

    Publisher(NsqOptions options, String clientId) {
        this.options = options;
        this.clientId = clientId;
    }

    /** Publishes message bodies to a topic, in MPUBs of at most {@link NsqOptions#maxBatchBytes()}; waits for every OK. */
    void publish(String topic, List<byte[]> bodies) {
        List<byte[]> commands = new ArrayList<>();
        int from = 0;
        while (from < bodies.size()) {
            int to = from;
            long payload = 0;
            while (to < bodies.size() && (to == from
                    || Protocol.mpubBodySize(to - from + 1, payload + bodies.get(to).length) <= options.maxBatchBytes())) {
                payload += bodies.get(to).length;
                to++;
            }
            commands.add(to - from == 1 ? Protocol.pub(topic, bodies.get(from)) : Protocol.mpub(topic, bodies.subList(from, to)));
            from = to;
        }
        send(topic, commands);
    }

    /** Publishes one body that nsqd delivers no earlier than {@code delay} from now (DPUB). */
    void publishDeferred(String topic, byte[] body, Duration delay) {
        send(topic, List.of(delay.isZero() ? Protocol.pub(topic, body) : Protocol.dpub(topic, delay, body)));
    }

    private void send(String topic, List<byte[]> commands) {
        Link current = link();
        List<CompletableFuture<Void>> answers = new ArrayList<>(commands.size());
        try {
            for (byte[] command : commands) {
                answers.add(current.send(command));
            }
            long deadline = System.nanoTime() + options.connectTimeout().toNanos() + TimeUnit.SECONDS.toNanos(30);
            for (CompletableFuture<Void> answer : answers) {
                answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (IOException e) {
            current.fail(e);
            throw new TransportException("cannot publish to topic " + topic + " on nsqd " + options.nsqd() + ": "
                    + e.getMessage(), e);
        } catch (ExecutionException e) {
            throw new TransportException("nsqd " + options.nsqd() + " did not store the events of topic " + topic + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            current.fail(new IOException("no answer in time"));
            throw new TransportException("nsqd " + options.nsqd() + " did not answer a publish to " + topic + " in time", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted while publishing to " + topic + "; the events may or may not be stored", e);
        }
    }

    private Link link() {
        Link current = link;
        if (current != null && current.alive()) {
            return current;
        }
        connectLock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the NSQ publisher is closed");
            }
            if (link == null || !link.alive()) {
                try {
                    link = new Link(NsqConnection.open(options.nsqd(), options, clientId));
                } catch (IOException e) {
                    throw new TransportException("cannot connect to nsqd " + options.nsqd() + ": " + e.getMessage(), e);
                }
            }
            return link;
        } finally {
            connectLock.unlock();
        }
    }

    @Override
    public void close() {
        connectLock.lock();
        try {
            closed = true;
            if (link != null) {
                link.fail(new IOException("the publisher closed"));
            }
        } finally {
            connectLock.unlock();
        }
    }

    /** One connection with its queue of pending answers and the thread that reads them. */
    private static final class Link {
        private final NsqConnection connection;
        private final Queue<CompletableFuture<Void>> pending = new ArrayDeque<>();
        private final ReentrantLock pendingLock = new ReentrantLock();
        private volatile IOException failure;

        Link(NsqConnection connection) {
            this.connection = connection;
            Thread.ofVirtual().name("herald-nsq-publisher-" + connection.address()).start(this::readAnswers);
        }

        boolean alive() {
            return failure == null;
        }

        CompletableFuture<Void> send(byte[] command) throws IOException {
            CompletableFuture<Void> answer = new CompletableFuture<>();
            if (failure != null) {
                throw failure;
            }
            connection.send(command, () -> enqueue(answer));
            return answer;
        }

        private void enqueue(CompletableFuture<Void> answer) {
            pendingLock.lock();
            try {
                pending.add(answer);
            } finally {
                pendingLock.unlock();
            }
        }

        private CompletableFuture<Void> next() {
            pendingLock.lock();
            try {
                return pending.poll();
            } finally {
                pendingLock.unlock();
            }
        }

        private void readAnswers() {
            try {
                while (true) {
                    switch (connection.read()) {
                        case Protocol.Response response when response.isHeartbeat() -> connection.send(Protocol.nop());
                        case Protocol.Response response -> complete(null, response.text());
                        case Protocol.Error error -> {
                            complete(error.text(), null);
                            if (error.isFatal()) {
                                throw new IOException("nsqd closed the connection after " + error.text());
                            }
                        }
                        case Protocol.Message message -> throw new IOException("a message arrived on a publishing connection");
                    }
                }
            } catch (IOException | RuntimeException e) {
                fail(e instanceof IOException io ? io : new IOException(e.getMessage(), e));
            }
        }

        private void complete(String error, String response) throws IOException {
            CompletableFuture<Void> answer = next();
            if (answer == null) {
                throw new IOException("nsqd answered a command that was not sent: " + (error != null ? error : response));
            }
            if (error != null) {
                answer.completeExceptionally(new IOException(error));
            } else if (Protocol.OK.equals(response)) {
                answer.complete(null);
            } else {
                answer.completeExceptionally(new IOException("unexpected answer " + response));
            }
        }

        void fail(IOException cause) {
            pendingLock.lock();
            try {
                if (failure == null) {
                    failure = cause;
                }
                for (CompletableFuture<Void> answer; (answer = pending.poll()) != null; ) {
                    answer.completeExceptionally(cause);
                }
            } finally {
                pendingLock.unlock();
            }
            connection.close();
        }
    }
}
