package dev.herald.server.auth;

import dev.herald.server.http.Problem;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authentication step before every matched route: reads the bearer token, finds it, applies the
 * token's rate limit, and stores its {@link Principal} on the request ({@link Principal#ATTRIBUTE}).
 * Routes declared public (health, readiness, and by configuration metrics and schema reads) run
 * without a token. Answers 401 (with {@code WWW-Authenticate}) for a missing or bad token and 429
 * (with {@code Retry-After}) over the rate limit. Tokens are never logged, only their ids.
 */
public final class Authenticator {

    private static final Logger LOG = LoggerFactory.getLogger(Authenticator.class);
    private static final String CHALLENGE = "Bearer realm=\"herald\"";

    private final TokenStore tokens;
    private final RateLimiter limiter;
    private final Predicate<Context> isPublic;

    /**
     * @param isPublic which requests need no token
     */
    public Authenticator(TokenStore tokens, RateLimiter limiter, Predicate<Context> isPublic) {
        this.tokens = tokens;
        this.limiter = limiter;
        this.isPublic = isPublic;
    }

    /** Registers the step on every matched route. */
    public void install(RoutesConfig routes) {
        routes.beforeMatched(this::authenticate);
    }

    void authenticate(Context ctx) {
        if (ctx.method() == HandlerType.OPTIONS || isPublic.test(ctx)) {
            return;
        }
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            throw new Problem(401, "Authentication required", "send an API token: Authorization: Bearer <token>")
                    .header("WWW-Authenticate", CHALLENGE);
        }
        String[] parts = header.strip().split("\\s+", 2);
        if (parts.length != 2 || !parts[0].toLowerCase(Locale.ROOT).equals("bearer")) {
            throw new Problem(401, "Authentication required", "the Authorization header must use the Bearer "
                    + "scheme: Authorization: Bearer <token>")
                    .header("WWW-Authenticate", CHALLENGE + ", error=\"invalid_request\"");
        }
        Optional<TokenStore.TokenInfo> token = tokens.authenticate(parts[1].strip());
        if (token.isEmpty()) {
            LOG.atInfo().setMessage("authentication failed").addKeyValue("ip", ctx.ip())
                    .addKeyValue("token_id", TokenStore.idOf(parts[1].strip()).orElse("-"))
                    .addKeyValue("path", ctx.path()).log();
            throw new Problem(401, "Invalid token", "the token is unknown, revoked or expired")
                    .header("WWW-Authenticate", CHALLENGE + ", error=\"invalid_token\"");
        }
        TokenPrincipal principal = token.get().principal();
        long waitNanos = limiter.tryAcquire(principal.tokenId());
        if (waitNanos > 0) {
            long seconds = Math.max(1, (long) Math.ceil(waitNanos / (double) TimeUnit.SECONDS.toNanos(1)));
            throw new Problem(429, "Too many requests", "token " + principal.tokenId()
                    + " is over its rate limit; retry after " + seconds + " s")
                    .header("Retry-After", Long.toString(seconds));
        }
        ctx.attribute(Principal.ATTRIBUTE, principal);
    }
}
