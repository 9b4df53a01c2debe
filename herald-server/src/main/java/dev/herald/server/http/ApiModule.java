package dev.herald.server.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * A group of HTTP routes the server mounts (intake, subscriptions, schemas, tokens, …), so each area
 * of the API lives in its own package and the server only assembles them.
 */
@FunctionalInterface
public interface ApiModule {

    /** Adds this module's routes. Handlers run on virtual threads. */
    void routes(RoutesConfig routes);

    /**
     * Whether this module authenticates {@code ctx} itself, so the server's bearer-token step skips
     * it: for callers that cannot send {@code Authorization: Bearer} (GitLab sends its webhook secret in
     * {@code X-Gitlab-Token}). The module must then refuse an unauthenticated request on its own.
     */
    default boolean authenticatesItself(Context ctx) {
        return false;
    }

    /**
     * Called when the server starts shutting down, before it waits for requests in flight to finish
     * (up to {@code shutdown.timeout}): end long-lived responses here (streams, long polls), or the
     * drain waits for them. Readiness already answers 503, and the listener stops right after. A module that is
     * {@link AutoCloseable} is closed later, once HTTP has stopped and before the event store closes.
     */
    default void beforeShutdown() {
    }
}
