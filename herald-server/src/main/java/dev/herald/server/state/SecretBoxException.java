package dev.herald.server.state;

/** A stored secret that cannot be decrypted: its key is not configured, or the value was altered. */
public final class SecretBoxException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public SecretBoxException(String message) {
        super(message);
    }

    public SecretBoxException(String message, Throwable cause) {
        super(message, cause);
    }
}
