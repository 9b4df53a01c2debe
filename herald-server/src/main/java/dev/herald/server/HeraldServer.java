package dev.herald.server;

import dev.herald.event.EnvelopeRules;
import dev.herald.schema.SchemaRegistry;
import dev.herald.server.api.Deduplicator;
import dev.herald.server.api.EventsApi;
import dev.herald.server.api.HealthApi;
import dev.herald.server.api.Intake;
import dev.herald.server.api.SchemasApi;
import dev.herald.server.api.StatsApi;
import dev.herald.server.api.TokensApi;
import dev.herald.server.auth.Authenticator;
import dev.herald.server.auth.RateLimiter;
import dev.herald.server.auth.Scope;
import dev.herald.server.auth.TokenStore;
import dev.herald.server.config.ServerConfig;
import dev.herald.server.console.ConsoleModule;
import dev.herald.server.http.ApiModule;
import dev.herald.server.http.ProblemRendering;
import dev.herald.server.state.SecretKeys;
import dev.herald.server.state.ServerDatabase;
import dev.herald.store.EventStore;
import dev.herald.server.subscriptions.SubscriptionsModule;
import dev.herald.transport.TransactionalTransport;
import dev.herald.transport.Transport;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code herald serve}: Herald's HTTP API on one process, assembled from its parts.
 *
 * <pre>{@code
 * try (HeraldServer server = HeraldServer.start(ServerConfig.fromMap(Map.of("port", "0", "data", dir)))) {
 *     URI base = server.baseUri();   // https://localhost:<port>/ with TLS
 *     ...
 * }
 * }</pre>
 *
 * <p>What it opens under the data directory: {@code events.db} (the embedded event store),
 * {@code server.db} (tokens, deduplication keys, and the state of further API modules; mode 0600, its
 * secrets sealed with AES-GCM), {@code secret.key} (the sealing key, created with mode 0600 at the first
 * start unless {@code HERALD_SECRET_KEY} gives it) and the schema directory ({@link SchemaCatalog}). On the first start, with no token at all, it creates an
 * admin token ({@code HERALD_ADMIN_TOKEN}'s value when set) and prints it once.
 *
 * <p>Shutdown ({@link #close()}, or SIGTERM through {@code herald serve}): readiness turns 503, API
 * modules end their long-lived responses ({@link ApiModule#beforeShutdown()}), the connectors stop
 * accepting, requests in flight get up to {@code shutdown.timeout} to finish, then closeable API
 * modules, the deduplication writer, the event store (draining its subscriptions) and the database
 * are closed, in that order.
 */
public final class HeraldServer implements AutoCloseable {

    /** Builds an API module from the server's shared parts. */
    @FunctionalInterface
    public interface ModuleFactory {
        ApiModule create(EventStore store, ServerDatabase db, ServerConfig config);
    }

    /**
     * The API modules every server mounts beside the core routes (events, schemas, tokens, health).
     * A module that implements {@link AutoCloseable} is closed on shutdown, after HTTP has stopped
     * and before the event store closes.
     */
    static List<ModuleFactory> standardModules() {
        List<ModuleFactory> modules = new ArrayList<>();
        modules.add(SubscriptionsModule::new);
        return modules;
    }

    private static final Logger LOG = LoggerFactory.getLogger(HeraldServer.class);

    private final ServerConfig config;
    private final Deque<AutoCloseable> resources;
    private final EventStore store;
    private final PrometheusMeterRegistry meters;
    private final Javalin app;
    private volatile boolean accepting;
    private boolean closed;

    private final List<ApiModule> modules;

    private HeraldServer(ServerConfig config, Deque<AutoCloseable> resources, EventStore store,
                         PrometheusMeterRegistry meters, Javalin app, List<ApiModule> modules) {
        this.config = config;
        this.resources = resources;
        this.store = store;
        this.meters = meters;
        this.app = app;
        this.modules = List.copyOf(modules);
    }

    /** Starts a server with the standard modules, printing a first-start admin token to stdout. */
    public static HeraldServer start(ServerConfig config) {
        return builder(config).start();
    }

    /** Starts configuring a server. */
    public static Builder builder(ServerConfig config) {
        return new Builder(config);
    }

    /** The effective configuration (with the actual port when 0 was asked for). */
    public ServerConfig config() {
        return config;
    }

    /** The port the server listens on. */
    public int port() {
        return app.port();
    }

    /** The server's public URL ({@code public-url}), ending in {@code /}. */
    public URI baseUri() {
        return config.publicUrl();
    }

    /** The event store behind the API. */
    public EventStore store() {
        return store;
    }

    /** The metrics registry the server and its event store report to. */
    public PrometheusMeterRegistry meters() {
        return meters;
    }

    /** Stops gracefully (see the class comment); idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        accepting = false;
        long start = System.nanoTime();
        LOG.info("stopping: draining requests in flight (up to {})", config.get(ServerConfig.SHUTDOWN_TIMEOUT));
        for (ApiModule module : modules) {
            try {
                module.beforeShutdown();
            } catch (RuntimeException e) {
                LOG.warn("{} failed to prepare for shutdown", module, e);
            }
        }
        try {
            app.stop();
        } catch (RuntimeException e) {
            LOG.warn("the HTTP server did not stop cleanly", e);
        }
        closeAll(resources);
        LOG.info("stopped in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    private static void closeAll(Deque<AutoCloseable> resources) {
        while (!resources.isEmpty()) {
            AutoCloseable resource = resources.pop();
            try {
                resource.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed", resource, e);
            }
        }
    }

    /** Configures and starts a {@link HeraldServer}. */
    public static final class Builder {

        private ServerConfig config;
        private final List<ModuleFactory> modules = new ArrayList<>(standardModules());
        private final List<ServerExtension> extensions = new ArrayList<>(
                ServiceLoader.load(ServerExtension.class, HeraldServer.class.getClassLoader()).stream()
                        .map(ServiceLoader.Provider::get).toList());
        private PrintStream out = System.out;
        private Function<Path, Transport> transport;

        private Builder(ServerConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** Mounts one more API module. */
        public Builder module(ModuleFactory factory) {
            modules.add(Objects.requireNonNull(factory, "factory"));
            return this;
        }

        /** Adds an extension besides those found on the class path (see {@link ServerExtension}). */
        public Builder extension(ServerExtension extension) {
            extensions.add(Objects.requireNonNull(extension, "extension"));
            return this;
        }

        /** Where the first-start admin token is printed (default: standard output). */
        public Builder firstStartOutput(PrintStream stream) {
            this.out = Objects.requireNonNull(stream, "stream");
            return this;
        }

        /** Opens the transport from the store file (default: the configured transport, {@code transport}). */
        public Builder transport(Function<Path, Transport> opener) {
            this.transport = Objects.requireNonNull(opener, "opener");
            return this;
        }

        /**
         * Opens everything and starts listening.
         *
         * @throws dev.herald.server.config.ConfigException for an unusable configuration
         * @throws RuntimeException when the store, database or port cannot be opened; nothing is left open
         */
        public HeraldServer start() {
            if (config.get(ServerConfig.PORT) == 0) {
                config = config.with(ServerConfig.PORT, Integer.toString(freePort(config.get(ServerConfig.HOST))));
            }
            Deque<AutoCloseable> resources = new ArrayDeque<>();
            try {
                return open(resources);
            } catch (RuntimeException | Error e) {
                closeAll(resources);
                throw e;
            }
        }

        /** The server's state: shared in PostgreSQL when configured, else SQLite beside the events. */
        private ServerDatabase openState(Path data) {
            Optional<String> url = config.stateUrl();
            if (url.isPresent()) {
                String schema = config.stateSchema();
                LOG.info("server state in PostgreSQL schema {}, shared by every instance on it", schema);
                if (Files.exists(data.resolve("server.db"))) {
                    LOG.warn("{} holds the state of an earlier single-instance setup; its tokens and subscriptions "
                            + "are NOT in the shared state (schema {}): recreate them there", data.resolve("server.db")
                            .toAbsolutePath(), schema);
                }
                if (!config.secretKeyFromEnvironment()) {
                    LOG.warn("the shared state's secrets are sealed with {}: every instance needs the same key, so "
                            + "set HERALD_SECRET_KEY (the same on every instance) or copy that file", data.resolve(
                            SecretKeys.KEY_FILE).toAbsolutePath());
                }
                return ServerDatabase.openPostgres(url.get(), schema, config.secretBox(),
                        config.get(ServerConfig.STATE_POOL_SIZE));
            }
            LOG.info("server state in {} (SQLite): run ONE instance on it; for several, set state.url to a "
                    + "PostgreSQL database", data.resolve("server.db").toAbsolutePath());
            return ServerDatabase.open(data.resolve("server.db"), config.secretBox());
        }

        private HeraldServer open(Deque<AutoCloseable> resources) {
            Path data = config.get(ServerConfig.DATA);
            try {
                Files.createDirectories(data);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the data directory " + data.toAbsolutePath(), e);
            }
            PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            resources.push(meters::close);
            bindJvmMetrics(meters, resources);

            ServerDatabase db = openState(data);
            resources.push(db);
            TokenStore tokens = new TokenStore(db);
            KeyStore tlsKeys = config.tls()
                    ? PemTls.keyStore(config.get(ServerConfig.TLS_CERT).orElseThrow(), config.get(ServerConfig.TLS_KEY).orElseThrow()) : null;

            SchemaRegistry schemas = SchemaCatalog.open(config);
            Transport opened = transport != null ? transport.apply(data.resolve("events.db")) : config.openTransport();
            EventStore store;
            try {
                store = EventStore.builder(opened, schemas).meterRegistry(meters)
                        .envelopeRules(new EnvelopeRules(config.get(ServerConfig.MAX_EVENT_BYTES))).build();
            } catch (RuntimeException e) {
                opened.close();
                throw e;
            }
            resources.push(store);
            Deduplicator dedup = new Deduplicator(db, config.get(ServerConfig.DEDUP_WINDOW),
                    config.stateInTransportDatabase() && opened instanceof TransactionalTransport);
            resources.push(dedup);
            Intake intake = new Intake(store, dedup, meters);

            RateLimiter limiter = new RateLimiter(config.get(ServerConfig.RATE_LIMIT), config.get(ServerConfig.RATE_BURST));
            HeraldServer[] self = new HeraldServer[1];
            List<ApiModule> apis = new ArrayList<>(List.of(
                    new HealthApi(store, db, meters, () -> self[0] != null && self[0].accepting,
                            config.get(ServerConfig.METRICS_PUBLIC)),
                    new EventsApi(store, intake, extensions.stream()
                            .flatMap(e -> e.envelopeMappings().stream()).toList(), config),
                    new SchemasApi(schemas, config),
                    new TokensApi(tokens, limiter),
                    new StatsApi(meters, Clock.systemUTC())));
            if (config.get(ServerConfig.CONSOLE_ENABLED)) {
                apis.add(new ConsoleModule());
            }
            for (ModuleFactory factory : modules) {
                ApiModule module = factory.create(store, db, config);
                apis.add(module);
                if (module instanceof AutoCloseable closeable) {
                    resources.push(closeable);
                }
            }
            ServerContext context = new ServerContext(config, store, schemas, intake, tokens, meters);
            for (ServerExtension extension : extensions) {
                for (ApiModule module : extension.modules(context)) {
                    apis.add(module);
                    if (module instanceof AutoCloseable closeable) {
                        resources.push(closeable);
                    }
                }
                LOG.info("extension {} installed", extension.name());
            }
            RateLimiter failures = new RateLimiter(config.get(ServerConfig.AUTH_FAILURE_RATE_LIMIT),
                    config.get(ServerConfig.AUTH_FAILURE_BURST));
            Authenticator authenticator = new Authenticator(tokens, limiter, failures,
                    ctx -> isPublic(ctx) || apis.stream().anyMatch(api -> api.authenticatesItself(ctx)));

            Javalin app = Javalin.create(javalin -> configure(javalin, meters, authenticator, apis, tlsKeys));
            if (config.tls()) {
                app.start();
            } else {
                app.start(config.get(ServerConfig.HOST), config.get(ServerConfig.PORT));
            }
            try {
                // Only once listening: a token printed by a start that then failed would be lost for good.
                bootstrapAdmin(tokens);
            } catch (RuntimeException e) {
                app.stop();
                throw e;
            }
            HeraldServer server = new HeraldServer(config, resources, store, meters, app, apis);
            self[0] = server;
            server.accepting = true;
            LOG.info("listening on {} (data {}, schemas {})", config.publicUrl(), data.toAbsolutePath(),
                    config.schemasDir().toAbsolutePath());
            return server;
        }

        /** Requests that need no token: health, readiness, and by configuration metrics and schema reads. */
        private boolean isPublic(Context ctx) {
            String path = ctx.path();
            if (path.equals("/healthz") || path.equals("/readyz")) {
                return true;
            }
            if (path.equals("/console") || path.startsWith("/console/")) {
                return true; // static files only: the console reads every datum from /v1 with the user's token
            }
            if (path.equals("/metrics")) {
                return config.get(ServerConfig.METRICS_PUBLIC);
            }
            boolean read = ctx.method() == HandlerType.GET || ctx.method() == HandlerType.HEAD;
            return read && config.get(ServerConfig.SCHEMAS_PUBLIC) && (path.equals("/v1/schemas") || path.startsWith("/v1/schemas/"));
        }

        private void configure(JavalinConfig javalin, PrometheusMeterRegistry meters, Authenticator authenticator,
                               List<ApiModule> apis, KeyStore tlsKeys) {
            javalin.startup.showJavalinBanner = false;
            javalin.startup.showOldJavalinVersionWarning = false;
            javalin.concurrency.useVirtualThreads = true;
            javalin.http.maxRequestSize = Math.max(config.get(ServerConfig.MAX_REQUEST_BYTES), config.get(ServerConfig.MAX_EVENT_BYTES));
            javalin.http.defaultContentType = "application/json";
            javalin.http.prefer405over404 = true;
            javalin.jetty.modifyServer(server -> {
                server.setStopTimeout(config.get(ServerConfig.SHUTDOWN_TIMEOUT).toMillis());
                server.insertHandler(new GracefulHandler());
            });
            if (config.tls()) {
                javalin.jetty.addConnector((server, httpConfiguration) -> {
                    SslContextFactory.Server ssl = new SslContextFactory.Server();
                    ssl.setKeyStore(tlsKeys);
                    ssl.setKeyStorePassword(new String(PemTls.PASSWORD));
                    HttpConfiguration https = new HttpConfiguration(httpConfiguration);
                    SecureRequestCustomizer secure = new SecureRequestCustomizer();
                    secure.setSniHostCheck(false);
                    https.addCustomizer(secure);
                    ServerConnector connector = new ServerConnector(server,
                            new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(https));
                    connector.setHost(config.get(ServerConfig.HOST));
                    connector.setPort(config.get(ServerConfig.PORT));
                    return connector;
                });
            }
            javalin.requestLogger.http((ctx, millis) -> Timer.builder("herald.http.server.requests")
                    .description("HTTP requests by route and status")
                    .tag("method", ctx.method().name())
                    .tag("route", route(ctx))
                    .tag("status", Integer.toString(ctx.statusCode()))
                    .register(meters)
                    .record((long) (millis * 1_000_000), TimeUnit.NANOSECONDS));
            ProblemRendering.install(javalin.routes);
            authenticator.install(javalin.routes);
            apis.forEach(api -> api.routes(javalin.routes));
        }

        private static String route(Context ctx) {
            try {
                Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
                return endpoint == null ? "unmatched" : endpoint.path;
            } catch (RuntimeException e) {
                return "unmatched";
            }
        }

        private void bootstrapAdmin(TokenStore tokens) {
            if (!tokens.isEmpty()) {
                if (config.initialAdminToken().isPresent()) {
                    LOG.warn("{} is ignored: the server already has tokens (it only sets the first admin token)",
                            ServerConfig.ADMIN_TOKEN_ENV);
                }
                return;
            }
            if (config.initialAdminToken().isPresent()) {
                TokenStore.Created created = tokens.createWithSecret(config.initialAdminToken().get(),
                        "admin (" + ServerConfig.ADMIN_TOKEN_ENV + ")", List.of(Scope.ADMIN), "bootstrap");
                out.println("herald: first start — admin token " + created.info().id() + " set from "
                        + ServerConfig.ADMIN_TOKEN_ENV);
            } else {
                TokenStore.Created created = tokens.create("admin (first start)", List.of(Scope.ADMIN), null, null,
                        "bootstrap");
                out.println("herald: first start — admin token (shown only this once; only its hash is stored):");
                out.println(created.secret());
            }
            out.flush();
        }

        private static void bindJvmMetrics(PrometheusMeterRegistry meters, Deque<AutoCloseable> resources) {
            new JvmMemoryMetrics().bindTo(meters);
            new JvmThreadMetrics().bindTo(meters);
            new ProcessorMetrics().bindTo(meters);
            new UptimeMetrics().bindTo(meters);
            JvmGcMetrics gc = new JvmGcMetrics();
            gc.bindTo(meters);
            resources.push(gc);
        }

        private static int freePort(String host) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(host, 0));
                return socket.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot find a free port on " + host, e);
            }
        }
    }
}
