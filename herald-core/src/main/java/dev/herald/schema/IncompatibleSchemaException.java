package dev.herald.schema;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown when a schema offered as the next version of a type breaks the required {@link Compatibility}
 * with the current version. Carries every reason found, so all of them can be fixed at once.
 */
public class IncompatibleSchemaException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String type;
    private final transient List<Incompatibility> reasons;

    /**
     * @param type      the event type
     * @param current   the version the new schema was compared with
     * @param mode      the compatibility that was required
     * @param reasons   why it does not hold; never empty
     */
    public IncompatibleSchemaException(String type, int current, Compatibility mode, List<Incompatibility> reasons) {
        super(describe(type, current, mode, reasons));
        if (reasons.isEmpty()) {
            throw new IllegalArgumentException("an incompatible schema has at least one reason");
        }
        this.type = type;
        this.reasons = List.copyOf(reasons);
    }

    /** The event type whose new version was refused. */
    public String type() {
        return type;
    }

    /** Every reason the new version is incompatible, in the order found. */
    public List<Incompatibility> reasons() {
        return reasons;
    }

    private static String describe(String type, int current, Compatibility mode, List<Incompatibility> reasons) {
        return reasons.stream().map(Incompatibility::toString).collect(Collectors.joining("; ",
                type + " v" + (current + 1) + " is not " + mode + " compatible with v" + current + ": ", ""));
    }
}
