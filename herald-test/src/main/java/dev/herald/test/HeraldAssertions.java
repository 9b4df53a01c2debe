package dev.herald.test;

import dev.herald.store.EventStore;
import dev.herald.store.Subscription;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * Entry points of Herald's AssertJ assertions, for stores made by {@link TestEventStore} or
 * {@link HeraldExtension}.
 *
 * <pre>{@code
 * import static dev.herald.test.HeraldAssertions.*;
 *
 * assertThatEventsFrom(store, () -> repositories.push(...))
 *         .published("ci.pipeline.created").withProject("gid://gitlab/Project/1");
 * assertThatEvents(store).publishedCausalChain("repository.push", "ci.pipeline.finished");
 * assertThatSubscription(store, "ci.run_pipeline_on_push").isSubscribedTo("repository.push");
 * }</pre>
 *
 * <p>Handlers run asynchronously: the event assertions first wait up to {@link #SETTLE_TIMEOUT} for every
 * subscription to handle what it was sent ({@link PublishedEvents#awaitSettled}), then assert on what was
 * published. A handler that keeps failing keeps its subscription busy; the wait then fails and says so.
 */
public final class HeraldAssertions {

    /** How long event assertions wait for the store to settle. */
    public static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(10);

    private HeraldAssertions() {
    }

    /** Assertions on everything the store published so far, once it has settled. */
    public static EventsAssert assertThatEvents(EventStore store) {
        PublishedEvents recording = PublishedEvents.of(store);
        recording.awaitSettled(SETTLE_TIMEOUT);
        return new EventsAssert(recording.all(), recording);
    }

    /**
     * Assertions on what {@code action} published, directly or through the handlers it set off: GitLab's
     * {@code expect { … }.to publish_event(…)}. The store settles before and after the action, so
     * events set off earlier are not counted.
     *
     * @throws AssertionError when the action throws a checked exception (unchecked ones pass through)
     */
    public static EventsAssert assertThatEventsFrom(EventStore store, ThrowingCallable action) {
        PublishedEvents recording = PublishedEvents.of(store);
        recording.awaitSettled(SETTLE_TIMEOUT);
        int mark = recording.count();
        try {
            action.call();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("the action threw " + e, e);
        }
        recording.awaitSettled(SETTLE_TIMEOUT);
        List<CloudEvent> published = recording.since(mark);
        return new EventsAssert(published, recording);
    }

    /**
     * Assertions on how the running subscription {@code name} is wired.
     *
     * @throws AssertionError when no subscription of that name runs in the store
     */
    public static SubscriptionAssert assertThatSubscription(EventStore store, String name) {
        Subscription subscription = store.subscription(name).orElseThrow(() -> new AssertionError(
                "no subscription named " + name + " runs in this store" + subscribedSoFar(store)));
        return new SubscriptionAssert(subscription, EventFixtures.of(store));
    }

    private static String subscribedSoFar(EventStore store) {
        return store.transport() instanceof RecordingTransport recording
                ? "; subscribed so far: " + recording.subscriptionNames()
                : "";
    }
}
