package dev.herald.test.badfixture.layering.server;

/** The server, which transports must not use. */
public final class AdminApi {

    private AdminApi() {
    }

    public static void announce(String message) {
        // would log it
    }
}
