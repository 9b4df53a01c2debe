package dev.herald.server.subscriptions;

import ch.qos.logback.classic.Level;
import dev.herald.dispatch.Backoff;
import dev.herald.dispatch.DeliveryPolicy;
import dev.herald.server.auth.Principal;
import dev.herald.server.http.Problem;
import dev.herald.server.http.ProblemRendering;
import dev.herald.server.state.ServerDatabase;
import dev.herald.store.EventStore;
import dev.herald.transport.embedded.EmbeddedTransport;
import io.cloudevents.CloudEvent;
import io.javalin.Javalin;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.LoggerFactory;

/**
 * The subscriptions module mounted in a small Javalin app over a real embedded store and server
 * database, with bearer tokens mapped to test principals by a before-handler (standing in for the
 * server's authentication).
 */
public final class TestServer implements AutoCloseable {

    static {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(Level.toLevel(System.getenv().getOrDefault("HERALD_TEST_LOG", "WARN")));
    }

    public static final String ADMIN = "admin-token";

    private final Path dir;
    private final Map<String, Principal> principals = new ConcurrentHashMap<>();
    private EventStore store;
    private ServerDatabase db;
    private SubscriptionsModule module;
    private Javalin app;
    private int port;

    public TestServer(Path dir, SubscriptionSettings settings) {
        this.dir = dir;
        principals.put(ADMIN, TestPrincipal.admin());
        open(settings, 0);
    }

    /** Fast retries, short timeouts, 127.0.0.1 allow-listed. */
    public static SubscriptionSettings.Builder settings() {
        return SubscriptionSettings.defaults().toBuilder()
                .ssrfAllowList(List.of("127.0.0.1"))
                .webhookTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2))
                .sseKeepAlive(Duration.ofMillis(200))
                .defaultPolicy(new DeliveryPolicy(3, new Backoff(Duration.ofMillis(20), Duration.ofMillis(100)), false,
                        8, 100));
    }

    private void open(SubscriptionSettings settings, int atPort) {
        store = EventStore.builder(EmbeddedTransport.open(dir.resolve("events.db")), TestEvents.SCHEMAS)
                .drainTimeout(Duration.ofSeconds(5)).build();
        db = ServerDatabase.open(dir.resolve("server.db"));
        module = new SubscriptionsModule(store, db, settings);
        app = Javalin.create(config -> {
            config.concurrency.useVirtualThreads = true;
            config.startup.showJavalinBanner = false;
            ProblemRendering.install(config.routes);
            config.routes.before("/v1/*", ctx -> {
                String authorization = ctx.header("Authorization");
                Principal principal = authorization == null || !authorization.startsWith("Bearer ") ? null
                        : principals.get(authorization.substring("Bearer ".length()));
                if (principal == null) {
                    throw new Problem(401, "Unauthorized", "no or unknown bearer token");
                }
                ctx.attribute(Principal.ATTRIBUTE, principal);
            });
            module.routes(config.routes);
        }).start("127.0.0.1", atPort);
        port = app.port();
    }

    /** Registers a token. */
    public TestServer token(String token, Principal principal) {
        principals.put(token, principal);
        return this;
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    public Api api(String token) {
        return new Api(url(), token);
    }

    public Api admin() {
        return api(ADMIN);
    }

    public EventStore store() {
        return store;
    }

    public CloudEvent publish(CloudEvent event) {
        return store.publish(event);
    }

    /** Stops everything and opens it again on the same files and port (a server restart). */
    public void restart(SubscriptionSettings settings) {
        stop();
        open(settings, port);
    }

    private void stop() {
        app.stop();
        module.close();
        store.close();
        db.close();
    }

    @Override
    public void close() {
        stop();
    }
}
