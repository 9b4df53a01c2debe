package dev.herald.server.auth;

import java.util.List;
import java.util.Optional;

/**
 * The principal of a request authenticated by a bearer token.
 *
 * @param tokenId   the token's public id
 * @param name      the token's name (who or what uses it)
 * @param scopes    what it may do
 * @param project   the project it is restricted to, if any
 */
public record TokenPrincipal(String tokenId, String name, List<Scope> scopes, Optional<String> project)
        implements Principal {

    public TokenPrincipal {
        scopes = List.copyOf(scopes);
    }

    @Override
    public boolean isAdmin() {
        return scopes.contains(Scope.ADMIN);
    }

    @Override
    public boolean canPublish(String type) {
        return scopes.stream().anyMatch(s -> s.allows(Scope.Kind.PUBLISH, type));
    }

    @Override
    public boolean canSubscribe(String type) {
        return scopes.stream().anyMatch(s -> s.allows(Scope.Kind.SUBSCRIBE, type));
    }

    @Override
    public boolean canReadMetrics() {
        return scopes.stream().anyMatch(s -> s.kind() == Scope.Kind.ADMIN || s.kind() == Scope.Kind.METRICS);
    }

    /** Whether the token may read events of some type at all (admin or any subscribe scope). */
    public boolean canSubscribeToAnything() {
        return scopes.stream().anyMatch(s -> s.kind() == Scope.Kind.ADMIN || s.kind() == Scope.Kind.SUBSCRIBE);
    }
}
