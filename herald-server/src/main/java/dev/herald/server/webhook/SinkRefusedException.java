package dev.herald.server.webhook;

/** A webhook sink Herald will not call: its host does not resolve, or resolves to a forbidden address. */
public final class SinkRefusedException extends Exception {

    private static final long serialVersionUID = 1L;

    public SinkRefusedException(String message) {
        super(message, null, false, false);
    }
}
