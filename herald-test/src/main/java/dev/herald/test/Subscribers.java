package dev.herald.test;

import dev.herald.dispatch.EventHandler;
import dev.herald.event.EnvelopeRules;
import dev.herald.event.HeraldAttributes;
import dev.herald.event.Provenance;
import dev.herald.event.Violation;
import dev.herald.schema.EventValidator;
import dev.herald.store.EventStore;
import dev.herald.store.Subscription;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one subscriber against one event, synchronously — Herald's {@code consume_event}.
 *
 * <pre>{@code
 * new Pipelines(store, baseUrl).start();                       // subscribes "ci.run_pipeline_on_push"
 * CloudEvent push = EventFixtures.of(store).event("repository.push").build();
 *
 * Consumption run = Subscribers.consume(store, "ci.run_pipeline_on_push", push);
 * assertThat(run.published()).extracting(CloudEvent::getType)
 *         .containsExactly("ci.pipeline.created", "ci.pipeline.finished");
 * }</pre>
 *
 * <p>The event goes through the subscription's real wiring — its filter, its handler, the provenance
 * that links what the handler publishes to the event — but only to that subscription: it is not
 * published, so no other subscriber sees it (what the handler publishes is published as usual).
 * Per-key ordering does not hold the event back.
 */
public final class Subscribers {

    /** How long {@link #deliver} waits for the handler. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    private Subscribers() {
    }

    /**
     * Hands {@code event} to the running subscription {@code subscription} of a test store and waits
     * for its handler to finish.
     *
     * @return what the handler published
     * @throws AssertionError when the event is invalid (Herald would never deliver it), the subscription
     *                        does not run, its filter rejects the event, or the handler fails (with its
     *                        stack trace)
     */
    public static Consumption consume(EventStore store, String subscription, CloudEvent event) {
        Consumption consumption = deliver(store, subscription, event);
        switch (consumption.outcome()) {
            case HANDLED -> {
                return consumption;
            }
            case FILTERED -> throw new AssertionError("subscription " + subscription + " did not take "
                    + describe(event) + ": its filter rejects it");
            default -> throw new AssertionError("the handler of subscription " + subscription + " failed on "
                    + describe(event) + ":\n" + consumption.failure().orElse("(no error recorded)"));
        }
    }

    /**
     * Like {@link #consume}, but reports a filtered or failed event in the result instead of failing.
     *
     * @throws AssertionError when the event is invalid, the subscription does not run or is paused, or the
     *                        handler does not finish within {@link #TIMEOUT}
     */
    public static Consumption deliver(EventStore store, String subscription, CloudEvent event) {
        PublishedEvents recording = PublishedEvents.of(store);
        Subscription running = running(store, recording, subscription);
        requireValid(store, event);
        if (!running.options().filter().matches(event)) {
            return new Consumption(subscription, event, Consumption.Outcome.FILTERED, Optional.empty(), List.of());
        }
        int mark = recording.count();
        SyntheticDelivery delivery = new SyntheticDelivery(event, subscription,
                running.options().policy().maxAttempts());
        ((RecordingTransport) store.transport()).inject(subscription, delivery);
        SyntheticDelivery.Settlement settlement = await(delivery, subscription, event);
        List<CloudEvent> published = recording.since(mark).stream()
                .filter(e -> HeraldAttributes.causationId(e).map(event.getId()::equals).orElse(false))
                .toList();
        return settlement.handled()
                ? new Consumption(subscription, event, Consumption.Outcome.HANDLED, Optional.empty(), published)
                : new Consumption(subscription, event, Consumption.Outcome.FAILED,
                        Optional.ofNullable(settlement.error()), published);
    }

    /**
     * Runs a handler object on the calling thread as the dispatcher would — inside the event's
     * provenance, so what it publishes is caused by the event — for a handler written as a class. The
     * event is not validated; build it with {@link EventFixtures} to keep it realistic.
     *
     * @throws Exception whatever the handler throws, unchanged
     */
    public static void handle(EventHandler handler, CloudEvent event) throws Exception {
        Provenance.handling(event, () -> {
            handler.handle(event);
            return null;
        });
    }

    private static Subscription running(EventStore store, PublishedEvents recording, String subscription) {
        Subscription running = store.subscription(subscription).orElseThrow(() -> new AssertionError(
                "no subscription named " + subscription + " runs in this store; subscribed so far: "
                        + ((RecordingTransport) store.transport()).subscriptionNames()));
        if (running.isPaused()) {
            throw new AssertionError("subscription " + subscription + " is paused: it would not take the event");
        }
        return running;
    }

    /** GitLab's consume_event checks the event too: a test must not pass with an event Herald would refuse. */
    private static void requireValid(EventStore store, CloudEvent event) {
        List<Violation> violations = new EventValidator(EnvelopeRules.defaults(), store.schemas()).check(event);
        if (!violations.isEmpty()) {
            throw new AssertionError(describe(event) + " is not a valid event, so Herald would never deliver it: "
                    + violations);
        }
    }

    private static SyntheticDelivery.Settlement await(SyntheticDelivery delivery, String subscription,
                                                      CloudEvent event) {
        try {
            return delivery.settled().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the handler of subscription " + subscription + " did not finish "
                    + describe(event) + " within " + TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while subscription " + subscription + " handled " + describe(event), e);
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        }
    }

    private static String describe(CloudEvent event) {
        return event.getType() + " " + event.getId();
    }
}
