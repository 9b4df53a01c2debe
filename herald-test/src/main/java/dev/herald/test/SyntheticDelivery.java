package dev.herald.test;

import dev.herald.transport.Delivery;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * An event handed straight to one subscription's dispatcher by {@link Subscribers#consume}; it is on
 * no topic, so settling it only completes {@link #settled()}.
 *
 * <p>It claims to be the subscription's last allowed attempt: a failing handler then makes the
 * dispatcher call {@link #deadLetter(String)} with the stack trace, which {@code consume} reports,
 * instead of {@link #nack(Duration)}, which carries no error. Nothing reaches the dead letters.
 */
final class SyntheticDelivery implements Delivery {

    /** How the dispatcher settled it. {@code error} is null when it was acknowledged. */
    record Settlement(boolean handled, String error) {
    }

    private final CloudEvent event;
    private final String subscription;
    private final int attempt;
    private final Instant publishedAt = Instant.now();
    private final CompletableFuture<Settlement> settled = new CompletableFuture<>();

    SyntheticDelivery(CloudEvent event, String subscription, int attempt) {
        this.event = event;
        this.subscription = subscription;
        this.attempt = attempt;
    }

    CompletableFuture<Settlement> settled() {
        return settled;
    }

    void abandon(String reason) {
        settled.complete(new Settlement(false, reason));
    }

    @Override
    public CloudEvent event() {
        return event;
    }

    @Override
    public String subscription() {
        return subscription;
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public Instant publishedAt() {
        return publishedAt;
    }

    @Override
    public void ack() {
        settled.complete(new Settlement(true, null));
    }

    @Override
    public void nack(Duration delay) {
        settled.complete(new Settlement(false, "the handler failed (the dispatcher would retry after " + delay + ")"));
    }

    @Override
    public void deadLetter(String error) {
        settled.complete(new Settlement(false, error));
    }
}
