package dev.herald.filter;

/** A filter definition that cannot be used: the message names where it is wrong and why. */
public class InvalidFilterException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public InvalidFilterException(String message) {
        super(message);
    }

    public InvalidFilterException(String message, Throwable cause) {
        super(message, cause);
    }
}
