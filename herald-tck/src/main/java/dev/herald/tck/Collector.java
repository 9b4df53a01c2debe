package dev.herald.tck;

import dev.herald.transport.Consumer;
import dev.herald.transport.Delivery;
import dev.herald.transport.Transport;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A consumer loop on a virtual thread: polls one subscription, logs each delivery to a
 * {@link DeliveryLog}, asks a {@link Handler} what to do, logs that and settles the delivery.
 * {@link #close()} stops the loop and closes the consumer; once it returns, nothing more is logged.
 */
public final class Collector implements AutoCloseable {

    /** Decides the outcome of one delivery; an exception counts as {@code nack(0)}. */
    @FunctionalInterface
    public interface Handler {
        /** Acknowledges everything. */
        Handler ACK = delivery -> Outcome.ack();

        Outcome handle(Delivery delivery) throws Exception;
    }

    /** Short enough that {@link #close()} returns promptly, long enough not to spin. */
    static final Duration POLL_TIMEOUT = Duration.ofMillis(100);

    private final String label;
    private final Consumer consumer;
    private final Handler handler;
    private final DeliveryLog log;
    private final int maxPerPoll;
    private final Thread thread;
    private volatile boolean running = true;

    private Collector(String label, Consumer consumer, Handler handler, DeliveryLog log, int maxPerPoll) {
        this.label = label;
        this.consumer = consumer;
        this.handler = handler;
        this.log = log;
        this.maxPerPoll = maxPerPoll;
        this.thread = Thread.ofVirtual().name("tck-collector-" + label).unstarted(this::run);
    }

    /**
     * Opens a consumer of {@code subscription} on the calling thread (so it is open when this
     * returns) and starts polling it.
     *
     * @param label      names the consumer in the log
     * @param maxPerPoll the {@code max} of each poll
     */
    public static Collector start(Transport transport, String subscription, String label, Handler handler,
                                  DeliveryLog log, int maxPerPoll) {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(log, "log");
        Collector collector = new Collector(label, transport.openConsumer(subscription), handler, log, maxPerPoll);
        collector.thread.start();
        return collector;
    }

    /** The consumer's label in the log. */
    public String label() {
        return label;
    }

    /** The log this collector writes to. */
    public DeliveryLog log() {
        return log;
    }

    /** Whether the loop is still polling. */
    public boolean isRunning() {
        return thread.isAlive();
    }

    private void run() {
        try {
            while (running) {
                List<Delivery> batch = consumer.poll(maxPerPoll, POLL_TIMEOUT);
                // The whole batch is handled even when stopping: handlers are quick, and a
                // delivery logged as DELIVERED always gets an outcome line.
                for (Delivery delivery : batch) {
                    handle(delivery);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IllegalStateException e) {
            if (running) {
                log.failed(label, e);
            }
        } catch (Throwable e) {
            log.failed(label, e);
        } finally {
            consumer.close();
        }
    }

    private void handle(Delivery delivery) {
        log.add(DeliveryLog.Kind.DELIVERED, label, delivery);
        Outcome outcome;
        try {
            outcome = handler.handle(delivery);
        } catch (Exception e) {
            outcome = Outcome.nack(Duration.ZERO);
        }
        switch (outcome) {
            case Outcome.Ack ack -> {
                log.add(DeliveryLog.Kind.ACKED, label, delivery);
                delivery.ack();
            }
            case Outcome.Nack nack -> {
                log.add(DeliveryLog.Kind.NACKED, label, delivery);
                delivery.nack(nack.delay());
            }
            case Outcome.DeadLetter dead -> {
                log.add(DeliveryLog.Kind.DEAD_LETTERED, label, delivery);
                delivery.deadLetter(dead.error());
            }
            case Outcome.Leave leave -> log.add(DeliveryLog.Kind.LEFT, label, delivery);
        }
    }

    /** Stops polling, waits for the loop to finish and closes the consumer. Idempotent. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(Duration.ofSeconds(10));
            if (thread.isAlive()) {
                // A poll that ignores its timeout: interrupt it, then close from here.
                thread.interrupt();
                thread.join(Duration.ofSeconds(10));
                consumer.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            consumer.close();
        }
    }

    @Override
    public String toString() {
        return "Collector[" + label + "]";
    }
}
