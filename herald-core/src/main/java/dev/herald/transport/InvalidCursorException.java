package dev.herald.transport;

/**
 * A {@link LogQuery#after()} cursor the transport cannot continue from: not one it returned (another
 * transport's, or altered).
 */
public final class InvalidCursorException extends IllegalArgumentException {

    /**
     * @param cursor    the cursor as given
     * @param transport the transport's name
     */
    public InvalidCursorException(String cursor, String transport) {
        super("'" + cursor + "' is not a cursor of the " + transport + " transport");
    }
}
