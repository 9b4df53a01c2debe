package dev.herald.test;

import dev.herald.transport.Delivery;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** A transport delivery whose failed settlements are recorded as {@link HandlerFailure}s. */
final class ObservedDelivery implements Delivery {

    private final Delivery delegate;
    private final PublishedEvents recording;

    ObservedDelivery(Delivery delegate, PublishedEvents recording) {
        this.delegate = delegate;
        this.recording = recording;
    }

    @Override
    public CloudEvent event() {
        return delegate.event();
    }

    @Override
    public String subscription() {
        return delegate.subscription();
    }

    @Override
    public int attempt() {
        return delegate.attempt();
    }

    @Override
    public Instant publishedAt() {
        return delegate.publishedAt();
    }

    @Override
    public void ack() {
        delegate.ack();
    }

    @Override
    public void nack(Duration delay) {
        recording.handlerFailed(new HandlerFailure(subscription(), event(), attempt(), false, Optional.empty()));
        delegate.nack(delay);
    }

    @Override
    public void deadLetter(String error) {
        recording.handlerFailed(new HandlerFailure(subscription(), event(), attempt(), true, Optional.ofNullable(error)));
        delegate.deadLetter(error);
    }
}
