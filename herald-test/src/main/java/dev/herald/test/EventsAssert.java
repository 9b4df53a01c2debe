package dev.herald.test;

import dev.herald.event.HeraldAttributes;
import io.cloudevents.CloudEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.assertj.core.api.AbstractAssert;
import org.assertj.core.api.Assertions;
import org.assertj.core.api.ListAssert;

/**
 * Assertions on what a test store published — all of it ({@link HeraldAssertions#assertThatEvents}) or
 * what one action caused ({@link HeraldAssertions#assertThatEventsFrom}). The store has settled before
 * any of these run, so "nothing published" means nothing will be.
 *
 * <p>Every failure lists what was published instead, the publishes the store refused (a typo in a type
 * shows up there) and any handler failures seen.
 */
public final class EventsAssert extends AbstractAssert<EventsAssert, List<CloudEvent>> {

    private final PublishedEvents recording;

    EventsAssert(List<CloudEvent> events, PublishedEvents recording) {
        super(List.copyOf(events), EventsAssert.class);
        this.recording = recording;
    }

    /** Fails unless an event of {@code type} was published; narrows further on the result. */
    public PublishedEventAssert published(String type) {
        List<CloudEvent> ofType = ofType(type);
        if (ofType.isEmpty()) {
            fail("Expected an event of type " + type + " to be published, but none was.");
        }
        return new PublishedEventAssert(ofType, "an event of type " + type).as(info.description());
    }

    /** Fails if anything was published. */
    public EventsAssert publishedNothing() {
        if (!actual.isEmpty()) {
            fail("Expected no event to be published, but " + actual.size() + " was/were.");
        }
        return this;
    }

    /** Fails if an event of {@code type} was published. */
    public EventsAssert didNotPublish(String type) {
        List<CloudEvent> ofType = ofType(type);
        if (!ofType.isEmpty()) {
            fail("Expected no event of type " + type + " to be published, but " + ofType.size() + " was/were.");
        }
        return this;
    }

    /** The published types in publish order, for AssertJ's list assertions ({@code containsExactly}, …). */
    public ListAssert<String> publishedTypes() {
        return Assertions.assertThat(types()).as(info.description());
    }

    /**
     * Fails unless events of these types were published in this order, others possibly in between.
     * Handlers run concurrently: only order what causation or per-key ordering guarantees.
     */
    public EventsAssert publishedInOrder(String... types) {
        List<String> published = types();
        int next = 0;
        for (String type : published) {
            if (next < types.length && types[next].equals(type)) {
                next++;
            }
        }
        if (next < types.length) {
            fail("Expected events of types " + Arrays.toString(types) + " to be published in this order, but after "
                    + Arrays.toString(Arrays.copyOf(types, next)) + " no " + types[next] + " followed.");
        }
        return this;
    }

    /**
     * Fails unless there is a chain of published events of these types in which each one was published
     * while handling the one before ({@code causationid}): what an audit trail shows.
     */
    public EventsAssert publishedCausalChain(String... types) {
        if (types.length == 0) {
            return this;
        }
        List<CloudEvent> longest = List.of();
        for (CloudEvent start : ofType(types[0])) {
            List<CloudEvent> chain = longestChain(new ArrayList<>(List.of(start)), types);
            if (chain.size() == types.length) {
                return this;
            }
            longest = chain.size() > longest.size() ? chain : longest;
        }
        String found = longest.isEmpty() ? "no " + types[0] + " was published"
                : "the longest chain found is " + longest.stream().map(e -> e.getType() + " " + e.getId())
                        .collect(Collectors.joining(" → ")) + ", and no " + types[longest.size()]
                        + " was caused by its last event";
        fail("Expected a causal chain " + String.join(" → ", types) + ", but " + found + ".");
        return this;
    }

    /**
     * Fails unless a publish of {@code type} was refused; declares those refusals expected, so that
     * {@link HeraldExtension} does not fail the test for them.
     */
    public EventsAssert refused(String type) {
        List<RefusedPublish> refusals = recording.expectRefusals(type);
        if (refusals.isEmpty()) {
            fail("Expected a publish of type " + type + " to be refused, but none was.");
        }
        return this;
    }

    private List<CloudEvent> longestChain(List<CloudEvent> chain, String[] types) {
        if (chain.size() == types.length) {
            return chain;
        }
        String causeId = chain.getLast().getId();
        List<CloudEvent> best = chain;
        for (CloudEvent effect : ofType(types[chain.size()])) {
            if (causeId.equals(HeraldAttributes.causationId(effect).orElse(null))) {
                List<CloudEvent> extended = new ArrayList<>(chain);
                extended.add(effect);
                List<CloudEvent> found = longestChain(extended, types);
                if (found.size() == types.length) {
                    return found;
                }
                best = found.size() > best.size() ? found : best;
            }
        }
        return best;
    }

    private List<CloudEvent> ofType(String type) {
        return actual.stream().filter(e -> type.equals(e.getType())).toList();
    }

    private List<String> types() {
        return actual.stream().map(CloudEvent::getType).toList();
    }

    private void fail(String expectation) {
        StringBuilder message = new StringBuilder(expectation);
        message.append("\nPublished: ").append(actual.isEmpty() ? "nothing" : actual.stream()
                .map(e -> e.getType() + " " + e.getId()).collect(Collectors.joining(", ")));
        String refusals = recording.refusalReport(recording.refused());
        if (!refusals.isEmpty()) {
            message.append("\nRefused publishes:\n").append(refusals);
        }
        message.append(recording.failureReport());
        failWithMessage("%s", message);
    }
}
