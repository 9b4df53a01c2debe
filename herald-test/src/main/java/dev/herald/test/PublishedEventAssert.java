package dev.herald.test;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.event.HeraldAttributes;
import io.cloudevents.CloudEvent;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on the published events of one type, narrowed step by step: each {@code withX} keeps the
 * events that satisfy it and fails when none does, showing what each candidate had instead.
 *
 * <pre>{@code
 * assertThatEvents(store).published("ci.pipeline.finished")
 *         .withProject("gid://gitlab/Project/392359")
 *         .withDataContaining("{\"status\": \"success\"}")
 *         .causedBy(push)
 *         .once();
 * }</pre>
 */
public final class PublishedEventAssert extends AbstractAssert<PublishedEventAssert, List<CloudEvent>> {

    /** What the surviving events satisfy so far, e.g. "an event of type x with project y". */
    private final String expectation;

    PublishedEventAssert(List<CloudEvent> candidates, String expectation) {
        super(List.copyOf(candidates), PublishedEventAssert.class);
        this.expectation = expectation;
    }

    /** Keeps the events whose data equals {@code json} as JSON (field order and number format aside). */
    public PublishedEventAssert withData(String json) {
        JsonNode expected = JsonMatch.parse(json);
        return narrow("with data " + expected, e -> JsonMatch.equal(JsonMatch.data(e), expected), JsonMatch::data);
    }

    /**
     * Keeps the events whose data contains {@code json}: every field it names, with that value, recursively
     * — what a test of a fat event usually means.
     */
    public PublishedEventAssert withDataContaining(String json) {
        JsonNode expected = JsonMatch.parse(json);
        return narrow("with data containing " + expected, e -> JsonMatch.contains(JsonMatch.data(e), expected),
                JsonMatch::data);
    }

    /** Keeps the events whose data matches {@code matcher}, described as {@code description} in a failure. */
    public PublishedEventAssert withData(String description, Predicate<? super JsonNode> matcher) {
        return narrow("with data " + description, e -> matcher.test(JsonMatch.data(e)), JsonMatch::data);
    }

    /**
     * Keeps the events whose data passes {@code requirements} (AssertJ assertions on the JSON); a failure
     * shows what each candidate's requirements said.
     */
    public PublishedEventAssert withDataSatisfying(Consumer<? super JsonNode> requirements) {
        return narrow("with data satisfying the given requirements", e -> unmet(requirements, e) == null,
                e -> JsonMatch.data(e) + " — " + unmet(requirements, e));
    }

    /** Keeps the events of this project ({@code project} extension). */
    public PublishedEventAssert withProject(String project) {
        return withAttribute(HeraldAttributes.PROJECT, project);
    }

    /** Keeps the events about this subject. */
    public PublishedEventAssert withSubject(String subject) {
        return narrow("with subject " + subject, e -> subject.equals(e.getSubject()), CloudEvent::getSubject);
    }

    /** Keeps the events from this source. */
    public PublishedEventAssert withSource(String source) {
        return narrow("with source " + source, e -> e.getSource() != null && source.equals(e.getSource().toString()),
                CloudEvent::getSource);
    }

    /** Keeps the events triggered this way ({@code authtype}). */
    public PublishedEventAssert withAuthType(String authType) {
        return withAttribute(HeraldAttributes.AUTHTYPE, authType);
    }

    /** Keeps the events triggered by this actor ({@code authid}). */
    public PublishedEventAssert withAuthId(String authId) {
        return withAttribute(HeraldAttributes.AUTHID, authId);
    }

    /** Keeps the events whose extension attribute {@code name} equals {@code value}. */
    public PublishedEventAssert withAttribute(String name, String value) {
        return narrow("with " + name + " " + value, e -> value.equals(attribute(e, name)), e -> attribute(e, name));
    }

    /** Keeps the events published while handling {@code cause} ({@code causationid} = its id). */
    public PublishedEventAssert causedBy(CloudEvent cause) {
        Objects.requireNonNull(cause, "cause");
        return narrow("caused by " + cause.getType() + " " + cause.getId(),
                e -> cause.getId().equals(attribute(e, HeraldAttributes.CAUSATIONID)),
                e -> "causationid " + attribute(e, HeraldAttributes.CAUSATIONID));
    }

    /** Keeps the events of this request or job ({@code correlationid}). */
    public PublishedEventAssert withCorrelationId(String correlationId) {
        return withAttribute(HeraldAttributes.CORRELATIONID, correlationId);
    }

    /** Fails unless exactly one event is left. */
    public PublishedEventAssert once() {
        return times(1);
    }

    /** Fails unless exactly {@code count} events are left. */
    public PublishedEventAssert times(int count) {
        isNotNull();
        if (actual.size() != count) {
            failWithMessage("%s", "Expected " + expectation + " to be published " + count + " time(s), but it was "
                    + actual.size() + " time(s):\n" + list(actual, e -> ""));
        }
        return this;
    }

    /** The one event left, for further checks or as the cause of the next assertion. */
    public CloudEvent event() {
        once();
        return actual.getFirst();
    }

    /** The events left, in publish order. */
    public List<CloudEvent> events() {
        return actual;
    }

    private PublishedEventAssert narrow(String clause, Predicate<CloudEvent> test, Function<CloudEvent, Object> shown) {
        isNotNull();
        List<CloudEvent> kept = actual.stream().filter(test).toList();
        if (kept.isEmpty()) {
            failWithMessage("%s", "Expected " + expectation + " " + clause + ", but none of the " + actual.size()
                    + " event(s) " + expectation + " is:\n" + list(actual, e -> ": " + shown.apply(e)));
        }
        return new PublishedEventAssert(kept, expectation + " " + clause).as(info.description());
    }

    private static String list(List<CloudEvent> events, Function<CloudEvent, String> detail) {
        return events.stream().map(e -> "  - " + e.getType() + " " + e.getId() + detail.apply(e))
                .collect(Collectors.joining("\n"));
    }

    private static String attribute(CloudEvent event, String name) {
        Object value = event.getExtension(name);
        return value == null ? null : value.toString();
    }

    /** The first line of what the requirements said about the event's data; null when they hold. */
    private static String unmet(Consumer<? super JsonNode> requirements, CloudEvent event) {
        try {
            requirements.accept(JsonMatch.data(event));
            return null;
        } catch (AssertionError e) {
            String message = String.valueOf(e.getMessage()).strip();
            return message.lines().filter(line -> !line.isBlank()).collect(Collectors.joining(" "));
        }
    }
}
