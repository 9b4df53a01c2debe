package dev.herald.tck;

import java.time.Duration;
import java.util.Objects;

/** What a {@link Collector.Handler} decided for one delivery; the collector logs it, then settles. */
public sealed interface Outcome {

    /** Acknowledge. */
    static Outcome ack() {
        return Ack.INSTANCE;
    }

    /** Negative acknowledgement: deliver again no earlier than after {@code delay}. */
    static Outcome nack(Duration delay) {
        return new Nack(delay);
    }

    /** Give up: move the event to the subscription's dead letters with {@code error}. */
    static Outcome deadLetter(String error) {
        return new DeadLetter(error);
    }

    /** Leave the delivery unsettled (it is released when the consumer closes). */
    static Outcome leave() {
        return Leave.INSTANCE;
    }

    /** See {@link #ack()}. */
    enum Ack implements Outcome { INSTANCE }

    /** See {@link #leave()}. */
    enum Leave implements Outcome { INSTANCE }

    /** See {@link #nack(Duration)}. @param delay the redelivery delay */
    record Nack(Duration delay) implements Outcome {
        public Nack {
            Objects.requireNonNull(delay, "delay");
        }
    }

    /** See {@link #deadLetter(String)}. @param error the last error */
    record DeadLetter(String error) implements Outcome {
        public DeadLetter {
            Objects.requireNonNull(error, "error");
        }
    }
}
