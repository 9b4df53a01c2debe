package dev.herald.server.config;

import dev.herald.schema.Compatibility;
import dev.herald.server.ServerExtension;
import dev.herald.server.state.SecretBox;
import dev.herald.server.state.SecretKeys;
import dev.herald.settings.Setting;
import dev.herald.settings.Settings;
import dev.herald.transport.Transport;
import dev.herald.transport.TransportProvider;
import dev.herald.transport.TransportProviders;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The settings of {@code herald serve}, each declared once below as a typed {@link Setting} (name, parser,
 * default, doc), resolved from (highest precedence first) command-line flags, {@code HERALD_*} environment
 * variables, a configuration file, and the defaults (see {@link Settings} for the file formats and the
 * environment variable names). {@code HERALD_CONFIG} names the file when no flag does, and
 * {@code HERALD_ADMIN_TOKEN} (environment only, never from a file) sets the first admin token;
 * {@code HERALD_SECRET_KEY} and {@code HERALD_SECRET_KEY_PREVIOUS} (environment only too) give the keys
 * sealing stored secrets ({@link #secretBox()}).
 *
 * <h2>Adding a setting</h2>
 * One line here, in documentation order:
 * <pre>{@code
 * public static final Setting<Duration> STATE_RESYNC = declare(Setting.duration("state.resync", "30s",
 *         "How often each instance re-reads the shared state.").require(Duration::isPositive, "must be positive"));
 * }</pre>
 * and read it where it is used with {@code config.get(ServerConfig.STATE_RESYNC)}. The flag
 * {@code --set state.resync=…}, the variable {@code HERALD_STATE_RESYNC}, the file key, the validation at
 * start and the {@code --print-config} line follow from the declaration. Factories exist for text, whole
 * numbers, numbers, booleans, durations (the one grammar of {@link dev.herald.settings.Durations}, shared with
 * the HTTP API), sizes, paths, URLs, enums and lists; {@link Setting#of} takes any parser. A rule that spans
 * several settings goes in {@link #checkCombinations()}.
 *
 * <p>The transports' settings are not declared here: each {@link TransportProvider} found on the class path
 * declares its own, and they are resolved, validated and printed with the server's; so does each
 * {@link ServerExtension} found on the class path (the archive's {@code archive.*}).
 */
public final class ServerConfig {

    private static final List<Setting<?>> DECLARED = new ArrayList<>();
    private static final TransportProviders PROVIDERS = TransportProviders.installed();

    /** Environment variable naming the configuration file when no {@code --config} flag does. */
    public static final String CONFIG_ENV = "HERALD_CONFIG";
    /** Environment variable whose value becomes the admin token on the first start. */
    public static final String ADMIN_TOKEN_ENV = "HERALD_ADMIN_TOKEN";

    public static final Setting<TransportProvider> TRANSPORT = declare(Setting.of("transport", "embedded",
            "Where events are stored: embedded (SQLite in <data>/events.db) or another transport installed with "
                    + "Herald (postgres, kafka, ...); their settings follow the server's.",
            (text, base) -> PROVIDERS.named(text)));
    public static final Setting<Integer> PORT = declare(Setting.integer("port", "8080",
            "TCP port to listen on; 0 picks a free one.").require(p -> p >= 0 && p <= 65535, "must be between 0 and 65535"));
    public static final Setting<String> HOST = declare(Setting.text("host", "127.0.0.1",
            "Address to bind (default 127.0.0.1 = this machine only; 0.0.0.0 = every interface, e.g. in a container)."));
    public static final Setting<Path> DATA = declare(Setting.path("data", "./herald-data",
            "Data directory: events.db (the event store), server.db (tokens, deduplication keys, subscriptions), schemas/."));
    public static final Setting<Optional<URI>> PUBLIC_URL = declare(Setting.optionalHttpUrl("public-url",
            "The URL clients reach the server at; schema URIs (dataschema) are <public-url>v1/schemas/<type>/v<N>. "
                    + "Default: http://localhost:<port>/ (https with TLS)."));
    public static final Setting<Optional<Path>> SCHEMAS_DIR = declare(Setting.optionalPath("schemas.dir",
            "Schema catalog directory (<type>/v<N>.json); versions registered through the API are written here. "
                    + "Default: <data>/schemas."));
    public static final Setting<Boolean> SCHEMAS_BUILTIN = declare(Setting.bool("schemas.builtin", "true",
            "Copy the catalog shipped with Herald into the schema directory for types it lacks (false: serve only "
                    + "the directory)."));
    public static final Setting<Compatibility> SCHEMAS_COMPATIBILITY = declare(Setting.choice("schemas.compatibility",
            Compatibility.class, "BACKWARD", "Compatibility a new schema version must have with the previous one: "
                    + "BACKWARD, FORWARD, FULL or NONE."));
    public static final Setting<Boolean> SCHEMAS_PUBLIC = declare(Setting.bool("schemas.public", "true",
            "Serve GET /v1/schemas/** without a token, so dataschema URIs resolve for any validator (false: any "
                    + "valid token)."));
    public static final Setting<Integer> MAX_EVENT_BYTES = declare(Setting.intSize("events.max-event-bytes", "1MiB",
            "Largest event (structured JSON form); also the body limit of binary and structured requests.")
            .require(n -> n > 0, "must be positive"));
    public static final Setting<Long> MAX_REQUEST_BYTES = declare(Setting.size("events.max-request-bytes", "10MiB",
            "Body limit of a batch request.").require(n -> n > 0, "must be positive"));
    public static final Setting<Integer> MAX_BATCH_EVENTS = declare(Setting.integer("events.max-batch-events", "1000",
            "Most events in one batch request.").require(n -> n > 0, "must be positive"));
    public static final Setting<Duration> DEDUP_WINDOW = declare(Setting.duration("events.dedup-window", "24h",
            "How long an accepted event's source+id is remembered: a repeat within the window is accepted without "
                    + "storing a second copy (0 = no deduplication).").require(d -> !d.isNegative(), "must not be negative"));
    public static final Setting<Integer> QUERY_MAX_LIMIT = declare(Setting.integer("query.max-limit", "1000",
            "Largest page GET /v1/events returns.").require(n -> n > 0, "must be positive"));
    public static final Setting<Integer> QUERY_MAX_SCAN = declare(Setting.integer("query.max-scan", "10000",
            "Most stored events one GET /v1/events examines; a sparse filter returns a shorter page with a cursor "
                    + "to continue.").require(n -> n > 0, "must be positive"));
    public static final Setting<Integer> FILTERS_SQL_MAX_LENGTH = declare(Setting.integer("filters.sql-max-length",
            "4096", "Longest CESQL filter expression a subscription may hold, in characters.")
            .require(n -> n > 0, "must be positive"));
    public static final Setting<Integer> FILTERS_SQL_MAX_DEPTH = declare(Setting.integer("filters.sql-max-depth",
            "64", "Deepest nesting of parentheses and function calls in a CESQL filter expression.")
            .require(n -> n > 0, "must be positive"));
    public static final Setting<Integer> FILTERS_SQL_MAX_WILDCARDS = declare(Setting.integer(
            "filters.sql-max-wildcards", "32", "Most % and _ wildcards over all LIKE patterns of one CESQL filter "
                    + "expression.").require(n -> n >= 0, "must not be negative"));
    public static final Setting<Double> RATE_LIMIT = declare(Setting.number("auth.rate-limit", "100",
            "Requests per second per token (token bucket); 0 = unlimited.").require(n -> n >= 0, "must not be negative"));
    public static final Setting<Integer> RATE_BURST = declare(Setting.integer("auth.rate-burst", "200",
            "Bucket size: requests a token may make at once after being idle.").require(n -> n > 0, "must be positive"));
    public static final Setting<Double> AUTH_FAILURE_RATE_LIMIT = declare(Setting.number("auth.failure-rate-limit", "1",
            "Failed authentications per second per client address (token bucket); over it, requests from that "
                    + "address get 429 before their token is looked at. 0 = unlimited.")
            .require(n -> n >= 0, "must not be negative"));
    public static final Setting<Integer> AUTH_FAILURE_BURST = declare(Setting.integer("auth.failure-burst", "10",
            "Failed authentications a client address may make at once.").require(n -> n > 0, "must be positive"));
    public static final Setting<Optional<Path>> TLS_CERT = declare(Setting.optionalPath("tls.cert",
            "PEM certificate chain; with tls.key, the server speaks HTTPS only."));
    public static final Setting<Optional<Path>> TLS_KEY = declare(Setting.optionalPath("tls.key",
            "PEM private key (PKCS#8 'PRIVATE KEY', or RSA 'RSA PRIVATE KEY'), unencrypted."));
    public static final Setting<Duration> SHUTDOWN_TIMEOUT = declare(Setting.duration("shutdown.timeout", "30s",
            "On SIGTERM: how long in-flight requests may finish before the store is closed."));
    public static final Setting<Boolean> METRICS_PUBLIC = declare(Setting.bool("metrics.public", "false",
            "Serve /metrics without a token (default false: a token with the metrics or admin scope is required)."));
    public static final Setting<Boolean> CONSOLE_ENABLED = declare(Setting.bool("console.enabled", "true",
            "Serve the web console at /console (false: not served; the API is unchanged)."));
    public static final Setting<Duration> WEBHOOKS_CONNECT_TIMEOUT = declare(Setting.duration(
            "webhooks.connect-timeout", "10s", "Webhook connect timeout.").require(Duration::isPositive, "must be positive"));
    public static final Setting<Duration> WEBHOOKS_TIMEOUT = declare(Setting.duration("webhooks.timeout", "10s",
            "Webhook response timeout.").require(Duration::isPositive, "must be positive"));
    public static final Setting<Boolean> WEBHOOKS_SSRF_GUARD = declare(Setting.bool("webhooks.ssrf-guard", "true",
            "Refuse webhook sinks resolving to loopback, private, link-local (cloud metadata), CGNAT, multicast or "
                    + "reserved addresses."));
    public static final Setting<List<String>> WEBHOOKS_SSRF_ALLOW = declare(Setting.list("webhooks.ssrf-allow", "",
            "Comma-separated exceptions to the SSRF guard: hosts, *.domain, addresses or CIDR ranges, e.g. "
                    + "hooks.internal,10.20.0.0/16."));
    public static final Setting<Boolean> WEBHOOKS_REQUIRE_HTTPS = declare(Setting.bool("webhooks.require-https",
            "false", "Refuse http:// webhook sinks."));
    public static final Setting<Integer> WEBHOOKS_DISABLE_AFTER_FAILURES = declare(Setting.integer(
            "webhooks.disable-after-failures", "100", "Disable a webhook subscription after this many consecutive "
                    + "failed attempts (0 = never by count).").require(n -> n >= 0, "must not be negative"));
    public static final Setting<Duration> WEBHOOKS_DISABLE_AFTER_FAILING_FOR = declare(Setting.duration(
            "webhooks.disable-after-failing-for", "5d", "Disable a webhook subscription that failed for this long "
                    + "without a success.").require(Duration::isPositive, "must be positive"));
    public static final Setting<Duration> WEBHOOKS_SECRET_ROTATION_GRACE = declare(Setting.duration(
            "webhooks.secret-rotation-grace", "24h", "After a secret rotation, requests are also signed with the "
                    + "previous secret for this long."));
    public static final Setting<Duration> PULL_ACK_DEADLINE = declare(Setting.duration("pull.ack-deadline", "60s",
            "Streaming pull: default time to ack an event before it is sent again.")
            .require(Duration::isPositive, "must be positive"));
    public static final Setting<Duration> PULL_EXPIRE_AFTER = declare(Setting.duration("pull.expire-after", "31d",
            "A PULL subscription no stream has read (connected, acked or nacked) for this long is deleted, with its "
                    + "backlog and dead letters, and a log line (0 = never).").require(d -> !d.isNegative(),
            "must not be negative"));
    public static final Setting<Integer> LIMITS_SUBSCRIPTIONS_PER_TOKEN = declare(Setting.integer(
            "limits.subscriptions-per-token", "100", "Most subscriptions one token may have (admins included).")
            .require(n -> n > 0, "must be positive"));
    public static final Setting<Integer> LIMITS_STREAMS_PER_TOKEN = declare(Setting.integer(
            "limits.streams-per-token", "10", "Most streaming-pull connections one token may hold open at once.")
            .require(n -> n > 0, "must be positive"));
    public static final Setting<Integer> LIMITS_MAX_OUTSTANDING = declare(Setting.integer("limits.max-outstanding",
            "10000", "Largest maxOutstanding (un-acked events) a stream may ask for.")
            .require(n -> n > 0, "must be positive"));

    public static final Setting<Optional<String>> STATE_URL = declare(Setting.of("state.url", "",
            "PostgreSQL database (jdbc:postgresql://...) holding the server's state (tokens, subscriptions, secrets, "
                    + "dedup keys) shared by every instance; defaults to postgres.url on the postgres transport, else "
                    + "SQLite in <data>/server.db (one instance only).",
            (text, base) -> {
                if (text.isEmpty()) {
                    return Optional.empty();
                }
                if (!text.startsWith("jdbc:postgresql:")) {
                    throw new IllegalArgumentException("must be a PostgreSQL JDBC URL (jdbc:postgresql://host:5432/db?user=...)");
                }
                return Optional.of(text);
            }));
    public static final Setting<Integer> STATE_POOL_SIZE = declare(Setting.integer("state.pool-size", "16",
            "Connections to the PostgreSQL state database. On the postgres transport with the state in the same "
                    + "database, every intake request's transaction (its events and their deduplication keys) holds "
                    + "one, so this bounds the publishes committing at once.")
            .require(n -> n > 0 && n <= 1000, "must be between 1 and 1000"));
    public static final Setting<String> STATE_SCHEMA = declare(Setting.text("state.schema", "",
            "PostgreSQL schema of the server's state (created if missing); default <postgres.schema>_state on the "
                    + "postgres transport, else herald_state.")
            .require(s -> s.isEmpty() || s.matches("[a-z_][a-z0-9_]{0,50}"),
                    "must be a lowercase SQL identifier (a-z, 0-9, _)"));

    /** Every setting of the server itself, in documentation order (the transports' follow in {@link #settings()}). */
    public static final List<Setting<?>> SETTINGS = Collections.unmodifiableList(DECLARED);
    private static final List<Setting<?>> WITH_TRANSPORTS = Stream.of(SETTINGS.stream(),
            PROVIDERS.settings().stream(), extensionSettings().stream()).flatMap(s -> s).toList();

    private final Settings settings;
    private final String initialAdminToken;
    private final SecretKeyEnv secretKeys;

    /** {@code HERALD_SECRET_KEY} and {@code HERALD_SECRET_KEY_PREVIOUS}, null when unset. */
    private record SecretKeyEnv(String current, String previous) {
        static final SecretKeyEnv NONE = new SecretKeyEnv(null, null);
    }

    private ServerConfig(Settings settings, String initialAdminToken, SecretKeyEnv secretKeys) {
        this.settings = settings;
        this.initialAdminToken = initialAdminToken;
        this.secretKeys = secretKeys;
        checkCombinations();
    }

    private static List<Setting<?>> extensionSettings() {
        return ServiceLoader.load(ServerExtension.class, ServerConfig.class.getClassLoader()).stream()
                .flatMap(provider -> provider.get().settings().stream()).toList();
    }

    private static <T> Setting<T> declare(Setting<T> setting) {
        DECLARED.add(setting);
        return setting;
    }

    /** The defaults. */
    public static ServerConfig defaults() {
        return fromMap(Map.of());
    }

    /** The defaults overridden by {@code settings} (keys are setting names); for tests and embedding. */
    public static ServerConfig fromMap(Map<String, String> settings) {
        return new ServerConfig(Settings.of(WITH_TRANSPORTS, settings), null, SecretKeyEnv.NONE);
    }

    /**
     * Resolves the configuration of {@code herald serve}.
     *
     * @param file  the configuration file, or null for {@code HERALD_CONFIG} (or none)
     * @param env   the environment ({@link System#getenv()})
     * @param flags settings given on the command line, by name
     * @throws dev.herald.settings.SettingsException naming each bad setting and its origin
     */
    public static ServerConfig load(Path file, Map<String, String> env, Map<String, String> flags) {
        Path configFile = file != null ? file
                : Optional.ofNullable(env.get(CONFIG_ENV)).filter(s -> !s.isBlank()).map(Path::of).orElse(null);
        String admin = env.get(ADMIN_TOKEN_ENV);
        return new ServerConfig(Settings.load(WITH_TRANSPORTS, configFile, env, flags),
                admin == null || admin.isBlank() ? null : admin.strip(),
                new SecretKeyEnv(blankToNull(env.get(SecretKeys.KEY_ENV)), blankToNull(env.get(SecretKeys.PREVIOUS_ENV))));
    }

    /** This configuration with one setting changed (for example the port once it is known). */
    public ServerConfig with(Setting<?> setting, String value) {
        return new ServerConfig(settings.with(setting, value), initialAdminToken, secretKeys);
    }

    /** This configuration with the first admin token set (what {@code HERALD_ADMIN_TOKEN} does). */
    public ServerConfig withInitialAdminToken(String token) {
        return new ServerConfig(settings, token, secretKeys);
    }

    /**
     * This configuration with the keys sealing stored secrets set (what {@code HERALD_SECRET_KEY} and
     * {@code HERALD_SECRET_KEY_PREVIOUS} do); null leaves one unset.
     */
    public ServerConfig withSecretKeys(String current, String previous) {
        return new ServerConfig(settings, initialAdminToken, new SecretKeyEnv(current, previous));
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }

    /** The value of one of the settings declared above. */
    public <T> T get(Setting<T> setting) {
        return settings.get(setting);
    }

    /** Opens the configured transport ({@link #TRANSPORT}) with its settings. */
    public Transport openTransport() {
        return get(TRANSPORT).open(settings, get(DATA));
    }

    /** The resolved settings of the server and of every installed transport, with their origins. */
    public Settings settings() {
        return settings;
    }

    /** Rules that span settings; each setting's own rules are in its declaration. */
    private void checkCombinations() {
        Optional<Path> cert = get(TLS_CERT);
        if (cert.isPresent() != get(TLS_KEY).isPresent()) {
            Setting<?> given = cert.isPresent() ? TLS_CERT : TLS_KEY;
            throw new ConfigException("TLS needs both " + TLS_CERT + " and " + TLS_KEY + " (only " + given
                    + " from " + settings.origin(given) + " is set)");
        }
        get(TRANSPORT).check(settings);
        if (initialAdminToken != null && initialAdminToken.length() < 32) {
            throw new ConfigException(ADMIN_TOKEN_ENV + " must be at least 32 characters long (it is "
                    + initialAdminToken.length() + "); generate one with: openssl rand -base64 32");
        }
        try {
            if (secretKeys.current() != null) {
                SecretKeys.check(secretKeys.current(), SecretKeys.KEY_ENV);
            }
            if (secretKeys.previous() != null) {
                for (String key : secretKeys.previous().split(",")) {
                    SecretKeys.check(key, SecretKeys.PREVIOUS_ENV);
                }
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    // ---- values derived from several settings ----------------------------------------------------

    /** Whether HTTPS is configured. */
    public boolean tls() {
        return get(TLS_CERT).isPresent();
    }

    /** The public URL, always ending in {@code /}; by default the local address on the port. */
    public URI publicUrl() {
        URI url = get(PUBLIC_URL)
                .orElseGet(() -> URI.create((tls() ? "https" : "http") + "://localhost:" + get(PORT) + "/"));
        return url.toString().endsWith("/") ? url : URI.create(url + "/");
    }

    /** Where schema versions are served: {@code <public-url>v1/schemas/}. */
    public URI schemasBaseUri() {
        return publicUrl().resolve("v1/schemas/");
    }

    /** The schema directory; by default {@code <data>/schemas}. */
    public Path schemasDir() {
        return get(SCHEMAS_DIR).orElseGet(() -> get(DATA).resolve("schemas"));
    }

    /**
     * The PostgreSQL database of the server's state: {@link #STATE_URL}, else the postgres transport's own
     * database ({@code postgres.url}); empty means SQLite in {@code <data>/server.db}, for one instance.
     */
    public Optional<String> stateUrl() {
        Optional<String> url = get(STATE_URL);
        if (url.isPresent() || !get(TRANSPORT).name().equals("postgres")) {
            return url;
        }
        return postgresUrl();
    }

    /**
     * The PostgreSQL schema of the state: {@link #STATE_SCHEMA}, else {@code <postgres.schema>_state} on the
     * postgres transport (so that deployments sharing a database by schemas keep their states apart too),
     * else {@code herald_state}.
     */
    public String stateSchema() {
        String schema = get(STATE_SCHEMA);
        if (!schema.isEmpty()) {
            return schema;
        }
        return get(TRANSPORT).name().equals("postgres") ? transportSetting("postgres.schema")
                .map(transportSchema -> transportSchema + "_state").orElse("herald_state") : "herald_state";
    }

    /**
     * Whether the state lives in the postgres transport's own database, so that deduplication keys can be
     * written in the events' transaction.
     */
    public boolean stateInTransportDatabase() {
        return get(TRANSPORT).name().equals("postgres") && stateUrl().equals(postgresUrl());
    }

    private Optional<String> postgresUrl() {
        return transportSetting("postgres.url");
    }

    /** A transport's setting as text, by name (the server does not depend on the transports' classes). */
    private Optional<String> transportSetting(String name) {
        return settings.declared().stream().filter(s -> s.name().equals(name)).findFirst()
                .map(settings::text).filter(text -> !text.isBlank());
    }

    /** {@code HERALD_ADMIN_TOKEN}: becomes the admin token when the server starts with no token at all. */
    public Optional<String> initialAdminToken() {
        return Optional.ofNullable(initialAdminToken);
    }

    /**
     * The box sealing the secrets stored in the server database: its key from {@code HERALD_SECRET_KEY},
     * else from the key file in the data directory (created at the first start), plus the keys being
     * rotated out from {@code HERALD_SECRET_KEY_PREVIOUS}.
     */
    public SecretBox secretBox() {
        return SecretKeys.load(get(DATA), Optional.ofNullable(secretKeys.current()),
                Optional.ofNullable(secretKeys.previous()));
    }

    /** Whether the sealing key comes from {@code HERALD_SECRET_KEY} (rather than a key file in the data directory). */
    public boolean secretKeyFromEnvironment() {
        return secretKeys.current() != null;
    }

    /** Every setting's effective value and where it came from ({@code default} when not set). */
    public List<Settings.Described> describe() {
        return settings.describe().stream().map(d -> {
            if (d.setting() == PUBLIC_URL) {
                return new Settings.Described(d.setting(), publicUrl().toString(), d.origin());
            }
            if (d.setting() == SCHEMAS_DIR) {
                return new Settings.Described(d.setting(), schemasDir().toString(), d.origin());
            }
            return d;
        }).toList();
    }

    @Override
    public String toString() {
        return describe().stream().map(d -> d.setting().name() + "=" + d.text())
                .collect(Collectors.joining(", ", "ServerConfig[", "]"));
    }
}
