package dev.herald.gitlab;

import dev.herald.server.auth.TokenStore;
import dev.herald.server.http.Problem;
import java.util.Optional;

/**
 * GitLab instances registered to send webhooks. A source is a Herald API token whose name is
 * {@code gitlab:<instance URL>} (e.g. {@code gitlab:https://gitlab.example.com}) and whose scope is
 * {@code publish:com.gitlab.*}: a bridge-scoped token. GitLab sends it as the webhook's secret token
 * ({@code X-Gitlab-Token}); the token store finds it by its public id and compares its hash in constant
 * time. Revoking the token revokes the source. Registering and revoking go through {@code /v1/tokens}
 * ({@code herald gitlab sources register|revoke}), so sources live wherever tokens do.
 */
public final class GitLabSources {

    /** The prefix of a source token's name; the rest is the instance URL. */
    public static final String NAME_PREFIX = "gitlab:";
    /** The scope a source token is created with. */
    public static final String SCOPE = "publish:com.gitlab.*";

    private final TokenStore tokens;

    GitLabSources(TokenStore tokens) {
        this.tokens = tokens;
    }

    /** A verified sender: the token and the instance it is registered for. */
    record Sender(TokenStore.TokenInfo token, String instance) {
    }

    /**
     * The sender of a hook.
     *
     * @param secret   {@code X-Gitlab-Token}
     * @param instance {@code X-Gitlab-Instance}, or null when GitLab did not send it
     * @throws Problem 401 when the secret is missing, unknown, revoked, not a GitLab source's, or
     *                 registered for another instance
     */
    Sender authenticate(String secret, String instance) {
        if (secret == null || secret.isBlank()) {
            throw unauthorized("X-Gitlab-Token is missing: set the webhook's secret token to the one "
                    + "`herald gitlab sources register` printed");
        }
        Optional<TokenStore.TokenInfo> token = tokens.authenticate(secret.strip())
                .filter(t -> t.name().startsWith(NAME_PREFIX));
        if (token.isEmpty()) {
            throw unauthorized("X-Gitlab-Token is not the secret of a registered GitLab source (unknown, revoked "
                    + "or expired)");
        }
        String registered = token.get().name().substring(NAME_PREFIX.length());
        if (instance != null && !normalize(instance).equals(normalize(registered))) {
            throw unauthorized("X-Gitlab-Token belongs to the source " + registered + ", not to " + instance);
        }
        return new Sender(token.get(), registered);
    }

    private static String normalize(String url) {
        String stripped = url.strip();
        return stripped.endsWith("/") ? stripped.substring(0, stripped.length() - 1) : stripped;
    }

    private static Problem unauthorized(String detail) {
        return new Problem(401, "Invalid GitLab token", detail);
    }
}
