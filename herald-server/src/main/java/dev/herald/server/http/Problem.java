package dev.herald.server.http;

import dev.herald.event.Violation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An HTTP error as RFC 9457 problem details. Throw it from a handler; the server renders it as
 * {@code application/problem+json} with {@code type}, {@code title}, {@code status}, {@code detail}
 * and, for invalid input, {@code violations}: one {@code {"where", "rule", "value"}} per broken rule,
 * naming the attribute or JSON pointer.
 */
public class Problem extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String title;
    private final transient List<Violation> violations;
    private final transient Map<String, String> headers = new LinkedHashMap<>();

    /**
     * @param status     the HTTP status (4xx or 5xx)
     * @param title      a short, fixed summary of the problem type, e.g. "Invalid event"
     * @param detail     what exactly is wrong in this request
     * @param violations the broken rules, empty when not about input
     */
    public Problem(int status, String title, String detail, List<Violation> violations) {
        super(detail);
        this.status = status;
        this.title = title;
        this.violations = List.copyOf(violations);
    }

    /** A problem without violations. */
    public Problem(int status, String title, String detail) {
        this(status, title, detail, List.of());
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }

    public List<Violation> violations() {
        return violations;
    }

    /**
     * Adds a response header sent with the problem, e.g. {@code Retry-After} on 429 or
     * {@code WWW-Authenticate} on 401; returns this problem.
     */
    public Problem header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    /** The response headers sent with the problem. */
    public Map<String, String> headers() {
        return Map.copyOf(headers);
    }
}
