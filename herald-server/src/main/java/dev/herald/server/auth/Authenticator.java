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
 * (with {@code Retry-After}) over the rate limit.
 *
 * <p>Guessing is bounded per client address: each failed authentication takes one from the address's
 * bucket ({@code auth.failure-rate-limit}, {@code auth.failure-burst}), and while it is empty the address
 * gets 429 before its token is even looked at. Tokens are never logged; a token id only once the token
 * is verified, since an unverified id is whatever the client chose to send.
 */
public final class Authenticator {

    private static final Logger LOG = LoggerFactory.getLogger(Authenticator.class);
    private static final String CHALLENGE = "Bearer realm=\"herald\"";

    private final TokenStore tokens;
    private final RateLimiter limiter;
    private final RateLimiter failures;
    private final Predicate<Context> isPublic;

    /**
     * @param limiter  requests per verified token
     * @param failures failed authentications per client address
     * @param isPublic which requests need no token
     */
    public Authenticator(TokenStore tokens, RateLimiter limiter, RateLimiter failures, Predicate<Context> isPublic) {
        this.tokens = tokens;
        this.limiter = limiter;
        this.failures = failures;
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
        long blockedNanos = failures.waitNanos(ctx.ip());
        if (blockedNanos > 0) {
            throw tooMany(blockedNanos, "too many failed authentications from " + ctx.ip());
        }
        String[] parts = header.strip().split("\\s+", 2);
        if (parts.length != 2 || !parts[0].toLowerCase(Locale.ROOT).equals("bearer")) {
            failures.tryAcquire(ctx.ip());
            throw new Problem(401, "Authentication required", "the Authorization header must use the Bearer "
                    + "scheme: Authorization: Bearer <token>")
                    .header("WWW-Authenticate", CHALLENGE + ", error=\"invalid_request\"");
        }
        Optional<TokenStore.TokenInfo> token = tokens.authenticate(parts[1].strip());
        if (token.isEmpty()) {
            failures.tryAcquire(ctx.ip());
            LOG.atInfo().setMessage("authentication failed").addKeyValue("ip", ctx.ip())
                    .addKeyValue("path", ctx.path()).log();
            throw new Problem(401, "Invalid token", "the token is unknown, revoked or expired")
                    .header("WWW-Authenticate", CHALLENGE + ", error=\"invalid_token\"");
        }
        TokenPrincipal principal = token.get().principal();
        long waitNanos = limiter.tryAcquire(principal.tokenId());
        if (waitNanos > 0) {
            throw tooMany(waitNanos, "token " + principal.tokenId() + " is over its rate limit");
        }
        ctx.attribute(Principal.ATTRIBUTE, principal);
    }

    private static Problem tooMany(long waitNanos, String why) {
        long seconds = Math.max(1, (long) Math.ceil(waitNanos / (double) TimeUnit.SECONDS.toNanos(1)));
        return new Problem(429, "Too many requests", why + "; retry after " + seconds + " s")
                .header("Retry-After", Long.toString(seconds));
    }
}
