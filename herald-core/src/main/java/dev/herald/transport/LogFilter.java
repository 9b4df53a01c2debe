package dev.herald.transport;

import dev.herald.event.HeraldAttributes;
import io.cloudevents.CloudEvent;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Objects;

/**
 * Which stored events a {@link LogQuery} returns: every condition given must hold. An absent
 * condition ({@code null}, or no type globs) matches everything.
 *
 * <p>{@link #matches} is the reference semantics: a transport may evaluate the filter natively (in
 * SQL, with indexes) but must select exactly the events {@code matches} accepts.
 *
 * @param types    type globs, any of which the event's {@code type} must match; empty for every type
 * @param project  the exact {@code project} extension, or null
 * @param subject  the exact {@code subject}, or null
 * @param source   the exact {@code source} (as text), or null
 * @param timeFrom the event's {@code time} must be at or after this instant, or null
 * @param timeTo   the event's {@code time} must be before this instant, or null
 */
public record LogFilter(List<TypeGlob> types, String project, String subject, String source,
                        Instant timeFrom, Instant timeTo) {

    /** Matches every stored event. */
    public static final LogFilter ALL = new LogFilter(List.of(), null, null, null, null, null);

    /** @throws IllegalArgumentException when the time range is empty ({@code timeTo} not after {@code timeFrom}) */
    public LogFilter {
        types = List.copyOf(Objects.requireNonNull(types, "types"));
        if (timeFrom != null && timeTo != null && !timeTo.isAfter(timeFrom)) {
            throw new IllegalArgumentException("timeTo (" + timeTo + ") must be after timeFrom (" + timeFrom + ")");
        }
    }

    /** This filter with events of any of these type globs only. */
    public LogFilter withTypes(List<TypeGlob> globs) {
        return new LogFilter(globs, project, subject, source, timeFrom, timeTo);
    }

    /** This filter with one project's events only. */
    public LogFilter withProject(String value) {
        return new LogFilter(types, value, subject, source, timeFrom, timeTo);
    }

    /** This filter with one subject's events only. */
    public LogFilter withSubject(String value) {
        return new LogFilter(types, project, value, source, timeFrom, timeTo);
    }

    /** This filter with one source's events only. */
    public LogFilter withSource(String value) {
        return new LogFilter(types, project, subject, value, timeFrom, timeTo);
    }

    /** This filter with events whose {@code time} is in {@code [from, to)} only; either end may be null. */
    public LogFilter withTime(Instant from, Instant to) {
        return new LogFilter(types, project, subject, source, from, to);
    }

    /** Whether the filter accepts every event. */
    public boolean isAll() {
        return types.isEmpty() && project == null && subject == null && source == null && timeFrom == null
                && timeTo == null;
    }

    /** Whether {@code event} passes every condition. An event without {@code time} fails a time range. */
    public boolean matches(CloudEvent event) {
        if (!types.isEmpty() && types.stream().noneMatch(glob -> glob.matches(event.getType()))) {
            return false;
        }
        if (project != null && !project.equals(HeraldAttributes.project(event).orElse(null))) {
            return false;
        }
        if (subject != null && !subject.equals(event.getSubject())) {
            return false;
        }
        if (source != null && !source.equals(String.valueOf(event.getSource()))) {
            return false;
        }
        if (timeFrom == null && timeTo == null) {
            return true;
        }
        OffsetDateTime time = event.getTime();
        if (time == null) {
            return false;
        }
        Instant instant = time.toInstant();
        return (timeFrom == null || !instant.isBefore(timeFrom)) && (timeTo == null || instant.isBefore(timeTo));
    }
}
