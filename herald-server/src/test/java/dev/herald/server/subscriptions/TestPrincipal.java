package dev.herald.server.subscriptions;

import dev.herald.server.auth.Principal;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A principal for tests: admin or not, {@code subscribe:<glob>} scopes, an optional project.
 * {@code *} in a glob matches any run of characters.
 */
public record TestPrincipal(String tokenId, boolean isAdmin, List<String> subscribe, List<String> publish,
                            Optional<String> project) implements Principal {

    public static TestPrincipal admin() {
        return new TestPrincipal("tok_admin", true, List.of(), List.of(), Optional.empty());
    }

    public static TestPrincipal subscriber(String tokenId, String... globs) {
        return new TestPrincipal(tokenId, false, List.of(globs), List.of(), Optional.empty());
    }

    public TestPrincipal inProject(String projectId) {
        return new TestPrincipal(tokenId, isAdmin, subscribe, publish, Optional.of(projectId));
    }

    @Override
    public boolean canPublish(String type) {
        return isAdmin || publish.stream().anyMatch(glob -> matches(glob, type));
    }

    @Override
    public boolean canSubscribe(String type) {
        return isAdmin || subscribe.stream().anyMatch(glob -> matches(glob, type));
    }

    private static boolean matches(String glob, String type) {
        List<String> parts = java.util.Arrays.stream(glob.split("\\*", -1)).map(Pattern::quote).toList();
        return type.matches(String.join(".*", parts));
    }
}
