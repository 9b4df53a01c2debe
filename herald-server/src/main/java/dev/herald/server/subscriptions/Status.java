package dev.herald.server.subscriptions;

import java.util.Locale;

/** Whether a subscription is delivering. */
public enum Status {
    /** Delivering. */
    ACTIVE,
    /** Paused by a user; events wait in the backlog until resumed. */
    PAUSED,
    /** Stopped by Herald (the sink answered 410 Gone, or kept failing); events wait until it is enabled again. */
    DISABLED;

    /** The lowercase name used in the API. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Status fromJson(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }
}
