package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import io.javalin.router.Endpoint;
import io.javalin.router.ParsedEndpoint;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every route the server registers has a row in an authorization matrix: the subscription routes in
 * {@link OwnershipMatrixTest} (owner, other subscriber, publisher, other project, admin, no token), every
 * other route in {@link AuthMatrixTest}. A new route without a row fails here.
 */
class RouteCoverageTest {

    private static final String SUBSCRIPTION = "/v1/subscriptions/";

    @TempDir
    Path dir;

    @Test
    void everyRegisteredRouteHasAMatrixRow() throws Exception {
        List<String> uncovered = new ArrayList<>();
        List<String> routes = new ArrayList<>();
        try (Harness h = Harness.start(dir)) {
            for (ParsedEndpoint parsed : app(h.server).unsafe.internalRouter.allHttpHandlers()) {
                Endpoint endpoint = parsed.endpoint;
                String method = endpoint.method.name();
                String path = endpoint.path;
                if (method.startsWith("BEFORE") || method.startsWith("AFTER")) {
                    continue; // filters (authentication), not routes
                }
                routes.add(method + " " + path);
                boolean covered = path.startsWith(SUBSCRIPTION + "{id}")
                        ? OwnershipMatrixTest.ROUTES.stream().anyMatch(r -> r.route()
                                .equals(method + " " + path.substring(SUBSCRIPTION.length())))
                        : AuthMatrixTest.CASES.stream().anyMatch(c -> calls(c.name(), method, path));
                if (!covered) {
                    uncovered.add(method + " " + path);
                }
            }
        }
        assertThat(routes).as("the route table was read").contains("POST /v1/events", "GET /v1/subscriptions/{id}");
        assertThat(uncovered).as("routes without an authorization-matrix row").isEmpty();
    }

    /** Whether a row named {@code METHOD /concrete/path?query (note)} calls the route {@code method path}. */
    private static boolean calls(String rowName, String method, String template) {
        String[] words = rowName.split(" ");
        if (words.length < 2 || !words[0].equals(method)) {
            return false;
        }
        String concrete = words[1].split("\\?")[0];
        String regex = Pattern.quote(template).replaceAll("\\{[^}/]+}", "\\\\E[^/]+\\\\Q")
                .replaceAll("<[^>/]+>", "\\\\E.+\\\\Q");
        return concrete.matches(regex);
    }

    private static Javalin app(HeraldServer server) throws ReflectiveOperationException {
        Field app = HeraldServer.class.getDeclaredField("app");
        app.setAccessible(true);
        return (Javalin) app.get(server);
    }
}
