package dev.herald.test;

import dev.herald.filter.Filter;
import dev.herald.store.Subscription;
import io.cloudevents.CloudEvent;
import java.util.List;
import java.util.Objects;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on how a running subscription is wired — GitLab's "it subscribes to the event" shared
 * example, on Herald's real filter objects.
 *
 * <pre>{@code
 * assertThatSubscription(store, "ci.run_pipeline_on_push")
 *         .isSubscribedTo("repository.push")
 *         .isNotSubscribedTo("ci.pipeline.created")
 *         .isOrderedByKey();
 * }</pre>
 */
public final class SubscriptionAssert extends AbstractAssert<SubscriptionAssert, Subscription> {

    private final EventFixtures fixtures;

    SubscriptionAssert(Subscription subscription, EventFixtures fixtures) {
        super(subscription, SubscriptionAssert.class);
        this.fixtures = fixtures;
    }

    /**
     * Fails unless the filter accepts an event of {@code type}: at least one of the examples of any
     * version of the type ({@link EventFixtures#examples}). A filter that also looks at the data may
     * reject every example; use {@link #accepts(CloudEvent)} with a fitting event then.
     */
    public SubscriptionAssert isSubscribedTo(String type) {
        List<CloudEvent> examples = fixtures.examples(type);
        if (examples.stream().noneMatch(filter()::matches)) {
            failWithMessage("%s", "Expected subscription " + actual.name() + " to receive events of type " + type
                    + ", but its filter " + describe(filter()) + " rejects all " + examples.size()
                    + " example event(s) of that type");
        }
        return this;
    }

    /** Fails if the filter accepts any example event of {@code type}. */
    public SubscriptionAssert isNotSubscribedTo(String type) {
        List<CloudEvent> accepted = fixtures.examples(type).stream().filter(filter()::matches).toList();
        if (!accepted.isEmpty()) {
            failWithMessage("%s", "Expected subscription " + actual.name() + " not to receive events of type " + type
                    + ", but its filter " + describe(filter()) + " accepts " + accepted.size() + " example(s) of it");
        }
        return this;
    }

    /** Fails unless the filter accepts {@code event}. */
    public SubscriptionAssert accepts(CloudEvent event) {
        if (!filter().matches(event)) {
            failWithMessage("%s", "Expected subscription " + actual.name() + " to accept " + event.getType() + " "
                    + event.getId() + ", but its filter " + describe(filter()) + " rejects it");
        }
        return this;
    }

    /** Fails if the filter accepts {@code event}. */
    public SubscriptionAssert ignores(CloudEvent event) {
        if (filter().matches(event)) {
            failWithMessage("%s", "Expected subscription " + actual.name() + " to ignore " + event.getType() + " "
                    + event.getId() + ", but its filter " + describe(filter()) + " accepts it");
        }
        return this;
    }

    /**
     * Fails unless the filter is {@code expected}: the same filter, or one with the same Subscriptions API
     * JSON. Filters holding Java predicates compare equal only to themselves; test those with
     * {@link #accepts}/{@link #ignores}.
     */
    public SubscriptionAssert hasFilter(Filter expected) {
        Objects.requireNonNull(expected, "expected");
        Filter filter = filter();
        if (!filter.equals(expected) && !sameJson(filter, expected)) {
            failWithMessage("%s", "Expected subscription " + actual.name() + " to have the filter " + describe(expected)
                    + ", but it has " + describe(filter));
        }
        return this;
    }

    /** Fails unless the subscription reads {@code topic}. */
    public SubscriptionAssert readsTopic(String topic) {
        if (!actual.options().topic().equals(topic)) {
            failWithMessage("Expected subscription %s to read topic %s, but it reads %s", actual.name(), topic,
                    actual.options().topic());
        }
        return this;
    }

    /** Fails unless events of one ordering key are delivered one at a time, in publish order. */
    public SubscriptionAssert isOrderedByKey() {
        if (!actual.options().policy().orderedByKey()) {
            failWithMessage("Expected subscription %s to be ordered by key, but it is not", actual.name());
        }
        return this;
    }

    /** Fails unless the subscription tries an event {@code attempts} times before dead-lettering it. */
    public SubscriptionAssert hasMaxAttempts(int attempts) {
        if (actual.options().policy().maxAttempts() != attempts) {
            failWithMessage("Expected subscription %s to make %s attempt(s), but it makes %s", actual.name(), attempts,
                    actual.options().policy().maxAttempts());
        }
        return this;
    }

    private Filter filter() {
        isNotNull();
        return actual.options().filter();
    }

    private static boolean sameJson(Filter a, Filter b) {
        try {
            return a.toJson().equals(b.toJson());
        } catch (UnsupportedOperationException e) {
            return false; // a Java predicate has no JSON form to compare
        }
    }

    private static String describe(Filter filter) {
        try {
            return filter.toJson().toString();
        } catch (UnsupportedOperationException e) {
            return "(with a Java predicate, which has no JSON form)";
        }
    }
}
