package dev.herald.store;

import dev.herald.dispatch.Backoff;
import dev.herald.dispatch.DeliveryPolicy;
import dev.herald.filter.Filter;
import dev.herald.transport.StartPosition;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * How a subscription reads and is delivered. Immutable; every {@code withX} returns a copy.
 *
 * <pre>{@code
 * SubscribeOptions.forTypes("repository.push")
 *     .where(e -> !HeraldAttributes.project(e).orElse("").isEmpty())   // GitLab's if:
 *     .startAt(StartPosition.EARLIEST)
 *     .maxAttempts(10).backoff(Duration.ofSeconds(1), Duration.ofMinutes(10))
 *     .orderedByKey()
 *     .concurrency(4);
 * }</pre>
 *
 * @param topic         the topic to read (default {@value TopicRouter#DEFAULT_TOPIC})
 * @param filter        which events reach the handler; the others are acknowledged unseen
 * @param start         where a new subscription starts (default {@code latest}); an existing one
 *                      keeps its position
 * @param deliveryDelay no event is handled earlier than this after it was published (GitLab's {@code delay:})
 * @param policy        attempts, backoff, ordering, concurrency and group size
 */
public record SubscribeOptions(String topic, Filter filter, StartPosition start, Duration deliveryDelay,
                               DeliveryPolicy policy) {

    public SubscribeOptions {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(deliveryDelay, "deliveryDelay");
        Objects.requireNonNull(policy, "policy");
    }

    /** Every event of the default topic, from {@code latest}, with the default policy. */
    public static SubscribeOptions defaults() {
        return new SubscribeOptions(TopicRouter.DEFAULT_TOPIC, Filter.ALL_EVENTS, StartPosition.LATEST,
                Duration.ZERO, DeliveryPolicy.DEFAULT);
    }

    /** Only events of the given types (exact match on {@code type}). */
    public static SubscribeOptions forTypes(String... types) {
        Filter[] exact = Arrays.stream(types).map(t -> Filter.exact("type", t)).toArray(Filter[]::new);
        return defaults().filter(exact.length == 1 ? exact[0] : Filter.any(exact));
    }

    /** Reads another topic. */
    public SubscribeOptions topic(String newTopic) {
        return new SubscribeOptions(newTopic, filter, start, deliveryDelay, policy);
    }

    /** Replaces the filter. */
    public SubscribeOptions filter(Filter newFilter) {
        return new SubscribeOptions(topic, newFilter, start, deliveryDelay, policy);
    }

    /** Narrows the filter with a Java predicate (in-process only). */
    public SubscribeOptions where(Predicate<io.cloudevents.CloudEvent> condition) {
        return filter(Filter.all(filter, Filter.where(condition)));
    }

    /** Where a new subscription starts. */
    public SubscribeOptions startAt(StartPosition position) {
        return new SubscribeOptions(topic, filter, position, deliveryDelay, policy);
    }

    /** Delays every delivery by at least this long after publish. */
    public SubscribeOptions delay(Duration delay) {
        return new SubscribeOptions(topic, filter, start, delay, policy);
    }

    /** Replaces the whole delivery policy. */
    public SubscribeOptions policy(DeliveryPolicy newPolicy) {
        return new SubscribeOptions(topic, filter, start, deliveryDelay, newPolicy);
    }

    /** Deliveries before an event is dead-lettered. */
    public SubscribeOptions maxAttempts(int attempts) {
        return policy(policy.withMaxAttempts(attempts));
    }

    /** Exponential backoff with jitter between {@code min} and {@code max}. */
    public SubscribeOptions backoff(Duration min, Duration max) {
        return policy(policy.withBackoff(new Backoff(min, max)));
    }

    /** Delivers each ordering key's events one at a time, in publish order. */
    public SubscribeOptions orderedByKey() {
        return policy(policy.withOrderedByKey(true));
    }

    /** At most this many handler calls at once. */
    public SubscribeOptions concurrency(int calls) {
        return policy(policy.withConcurrency(calls));
    }

    /** For batch handlers: the largest group per call. */
    public SubscribeOptions groupSize(int size) {
        return policy(policy.withGroupSize(size));
    }
}
