package dev.herald.server.auth;

import io.javalin.http.Context;
import java.util.Optional;

/**
 * Who is calling: the token that authenticated the request, with what it may do. Every route asks
 * the principal before acting; a token restricted to a project only publishes and sees that
 * project's events.
 */
public interface Principal {

    /** The context attribute under which the authentication step stores the principal. */
    String ATTRIBUTE = "herald.principal";

    /** The token's id (never the secret), for logs and audit. */
    String tokenId();

    /** Whether the token has the {@code admin} scope. */
    boolean isAdmin();

    /** Whether a {@code publish:<pattern>} scope (or admin) covers events of this type. */
    boolean canPublish(String type);

    /** Whether a {@code subscribe:<pattern>} scope (or admin) covers events of this type. */
    boolean canSubscribe(String type);

    /** Whether the token may read the server's metrics: the {@code metrics} scope (or admin). */
    default boolean canReadMetrics() {
        return isAdmin();
    }

    /** The project the token is restricted to, if any: it may only publish and see events of it. */
    Optional<String> project();

    /** Whether the token may see an event of this project (true when unrestricted). */
    default boolean canSee(String eventProject) {
        return project().map(p -> p.equals(eventProject)).orElse(true);
    }

    /** The authenticated principal of a request (set by the server before any route runs). */
    static Principal of(Context ctx) {
        Principal principal = ctx.attribute(ATTRIBUTE);
        if (principal == null) {
            throw new IllegalStateException("no authenticated principal on " + ctx.path());
        }
        return principal;
    }
}
