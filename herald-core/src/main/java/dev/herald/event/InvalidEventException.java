package dev.herald.event;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown when an event breaks envelope or schema rules. Carries every violation found, not only the
 * first, so a producer can fix all of them in one go.
 */
public class InvalidEventException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final transient List<Violation> violations;

    /**
     * @param violations what is wrong; must not be empty
     */
    public InvalidEventException(List<Violation> violations) {
        super(describe(violations));
        if (violations.isEmpty()) {
            throw new IllegalArgumentException("an invalid event has at least one violation");
        }
        this.violations = List.copyOf(violations);
    }

    /** Every broken rule, in the order found. */
    public List<Violation> violations() {
        return violations;
    }

    private static String describe(List<Violation> violations) {
        return violations.stream().map(Violation::toString).collect(Collectors.joining("; ", "invalid event: ", ""));
    }
}
