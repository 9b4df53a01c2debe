package dev.herald.server.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.schema.Compatibility;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The settings of {@code herald serve}, resolved from (highest precedence first) command-line flags,
 * {@code HERALD_*} environment variables, a configuration file, and the defaults in {@link #SETTINGS}.
 *
 * <p>The file is a Java properties file ({@code port=8080}, {@code tls.cert=/etc/herald/cert.pem}) or,
 * when its name ends in {@code .json}, a JSON object whose nested objects stand for dotted keys
 * ({@code {"port": 8080, "tls": {"cert": "..."}}}). Relative paths in the file are resolved against the
 * file's directory; relative paths from flags and the environment against the working directory. An
 * unknown key in the file is an error (a typo must not silently fall back to a default).
 *
 * <p>Each key has one environment variable: {@code HERALD_} followed by the key in upper case with
 * {@code .} and {@code -} turned into {@code _} ({@code events.dedup-window} is
 * {@code HERALD_EVENTS_DEDUP_WINDOW}). {@code HERALD_CONFIG} names the file when no flag does, and
 * {@code HERALD_ADMIN_TOKEN} (environment only, never from a file) sets the first admin token.
 *
 * <p>Durations are {@code 500ms}, {@code 30s}, {@code 15m}, {@code 24h}, {@code 7d} or ISO-8601
 * ({@code PT24H}); sizes are bytes, optionally with {@code KiB}, {@code MiB}, {@code GiB} (or
 * {@code KB}, {@code MB}, {@code GB}, powers of 1000).
 */
public final class ServerConfig {

    /**
     * One setting.
     *
     * @param key         the key in files and {@code --set}
     * @param defaultText the default as documented ({@code null} values are computed, see the description)
     * @param description what it does
     */
    public record Setting(String key, String defaultText, String description) {

        /** The environment variable that sets it. */
        public String envVar() {
            return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
        }
    }

    /** Every environment variable that sets a setting starts with this. */
    public static final String ENV_PREFIX = "HERALD_";
    /** Environment variable naming the configuration file when no {@code --config} flag does. */
    public static final String CONFIG_ENV = "HERALD_CONFIG";
    /** Environment variable whose value becomes the admin token on the first start. */
    public static final String ADMIN_TOKEN_ENV = "HERALD_ADMIN_TOKEN";

    public static final String PORT = "port";
    public static final String HOST = "host";
    public static final String DATA = "data";
    public static final String PUBLIC_URL = "public-url";
    public static final String SCHEMAS_DIR = "schemas.dir";
    public static final String SCHEMAS_BUILTIN = "schemas.builtin";
    public static final String SCHEMAS_COMPATIBILITY = "schemas.compatibility";
    public static final String SCHEMAS_PUBLIC = "schemas.public";
    public static final String MAX_EVENT_BYTES = "events.max-event-bytes";
    public static final String MAX_REQUEST_BYTES = "events.max-request-bytes";
    public static final String MAX_BATCH_EVENTS = "events.max-batch-events";
    public static final String DEDUP_WINDOW = "events.dedup-window";
    public static final String QUERY_MAX_LIMIT = "query.max-limit";
    public static final String QUERY_MAX_SCAN = "query.max-scan";
    public static final String RATE_LIMIT = "auth.rate-limit";
    public static final String RATE_BURST = "auth.rate-burst";
    public static final String TLS_CERT = "tls.cert";
    public static final String TLS_KEY = "tls.key";
    public static final String SHUTDOWN_TIMEOUT = "shutdown.timeout";
    public static final String RETENTION_MAX_AGE = "store.retention-max-age";
    public static final String RETENTION_MAX_BYTES = "store.retention-max-bytes";
    public static final String METRICS_PUBLIC = "metrics.public";
    public static final String CONSOLE_ENABLED = "console.enabled";
    public static final String WEBHOOKS_CONNECT_TIMEOUT = "webhooks.connect-timeout";
    public static final String WEBHOOKS_TIMEOUT = "webhooks.timeout";
    public static final String WEBHOOKS_SSRF_GUARD = "webhooks.ssrf-guard";
    public static final String WEBHOOKS_SSRF_ALLOW = "webhooks.ssrf-allow";
    public static final String WEBHOOKS_REQUIRE_HTTPS = "webhooks.require-https";
    public static final String WEBHOOKS_DISABLE_AFTER_FAILURES = "webhooks.disable-after-failures";
    public static final String WEBHOOKS_DISABLE_AFTER_FAILING_FOR = "webhooks.disable-after-failing-for";
    public static final String WEBHOOKS_SECRET_ROTATION_GRACE = "webhooks.secret-rotation-grace";
    public static final String PULL_ACK_DEADLINE = "pull.ack-deadline";
    public static final String TRANSPORT = "transport";
    public static final String POSTGRES_URL = "postgres.url";
    public static final String POSTGRES_SCHEMA = "postgres.schema";
    public static final String KAFKA_BOOTSTRAP_SERVERS = "kafka.bootstrap-servers";
    public static final String KAFKA_PROPERTIES = "kafka.properties";

    /** The transports {@code herald serve} can run on. */
    public static final List<String> TRANSPORTS = List.of("embedded", "postgres", "kafka");

    /** Every setting with its default, in documentation order. */
    public static final List<Setting> SETTINGS = List.of(
            new Setting(PORT, "8080", "TCP port to listen on; 0 picks a free one."),
            new Setting(HOST, "0.0.0.0", "Address to bind (0.0.0.0 = every interface, 127.0.0.1 = local only)."),
            new Setting(DATA, "./herald-data", "Data directory: events.db (the event store), server.db (tokens, "
                    + "deduplication keys, subscriptions), schemas/."),
            new Setting(PUBLIC_URL, null, "The URL clients reach the server at; schema URIs (dataschema) are "
                    + "<public-url>v1/schemas/<type>/v<N>. Default: http://localhost:<port>/ (https with TLS)."),
            new Setting(SCHEMAS_DIR, null, "Schema catalog directory (<type>/v<N>.json); versions registered "
                    + "through the API are written here. Default: <data>/schemas."),
            new Setting(SCHEMAS_BUILTIN, "true", "Copy the catalog shipped with Herald into the schema directory "
                    + "for types it lacks (false: serve only the directory)."),
            new Setting(SCHEMAS_COMPATIBILITY, "BACKWARD", "Compatibility a new schema version must have with "
                    + "the previous one: BACKWARD, FORWARD, FULL or NONE."),
            new Setting(SCHEMAS_PUBLIC, "true", "Serve GET /v1/schemas/** without a token, so dataschema URIs "
                    + "resolve for any validator (false: any valid token)."),
            new Setting(MAX_EVENT_BYTES, "1MiB", "Largest event (structured JSON form); also the body limit of "
                    + "binary and structured requests."),
            new Setting(MAX_REQUEST_BYTES, "10MiB", "Body limit of a batch request."),
            new Setting(MAX_BATCH_EVENTS, "1000", "Most events in one batch request."),
            new Setting(DEDUP_WINDOW, "24h", "How long an accepted event's source+id is remembered: a repeat "
                    + "within the window is accepted without storing a second copy (0 = no deduplication)."),
            new Setting(QUERY_MAX_LIMIT, "1000", "Largest page GET /v1/events returns."),
            new Setting(QUERY_MAX_SCAN, "10000", "Most stored events one GET /v1/events examines; a sparse "
                    + "filter returns a shorter page with a cursor to continue."),
            new Setting(RATE_LIMIT, "100", "Requests per second per token (token bucket); 0 = unlimited."),
            new Setting(RATE_BURST, "200", "Bucket size: requests a token may make at once after being idle."),
            new Setting(TLS_CERT, "", "PEM certificate chain; with tls.key, the server speaks HTTPS only."),
            new Setting(TLS_KEY, "", "PEM private key (PKCS#8 'PRIVATE KEY', or RSA 'RSA PRIVATE KEY'), unencrypted."),
            new Setting(RETENTION_MAX_AGE, "7d", "Events older than this are deleted from the embedded store, "
                    + "unless a subscription has not consumed them yet."),
            new Setting(RETENTION_MAX_BYTES, "0", "When the embedded store is larger, its oldest events are deleted "
                    + "(same exception); 0 = no size limit."),
            new Setting(SHUTDOWN_TIMEOUT, "30s", "On SIGTERM: how long in-flight requests may finish before the "
                    + "store is closed."),
            new Setting(METRICS_PUBLIC, "true", "Serve /metrics without a token (false: admin token required)."),
            new Setting(CONSOLE_ENABLED, "true", "Serve the web console at /console (false: not served; the API "
                    + "is unchanged)."),
            new Setting(WEBHOOKS_CONNECT_TIMEOUT, "10s", "Webhook connect timeout."),
            new Setting(WEBHOOKS_TIMEOUT, "10s", "Webhook response timeout."),
            new Setting(WEBHOOKS_SSRF_GUARD, "true", "Refuse webhook sinks resolving to loopback, private, "
                    + "link-local (cloud metadata), CGNAT, multicast or reserved addresses."),
            new Setting(WEBHOOKS_SSRF_ALLOW, "", "Comma-separated exceptions to the SSRF guard: hosts, *.domain, "
                    + "addresses or CIDR ranges, e.g. hooks.internal,10.20.0.0/16."),
            new Setting(WEBHOOKS_REQUIRE_HTTPS, "false", "Refuse http:// webhook sinks."),
            new Setting(WEBHOOKS_DISABLE_AFTER_FAILURES, "100", "Disable a webhook subscription after this many "
                    + "consecutive failed attempts (0 = never by count)."),
            new Setting(WEBHOOKS_DISABLE_AFTER_FAILING_FOR, "5d", "Disable a webhook subscription that failed for "
                    + "this long without a success."),
            new Setting(WEBHOOKS_SECRET_ROTATION_GRACE, "24h", "After a secret rotation, requests are also signed "
                    + "with the previous secret for this long."),
            new Setting(PULL_ACK_DEADLINE, "60s", "Streaming pull: default time to ack an event before it is sent again."),
            new Setting(TRANSPORT, "embedded", "Where events are stored: embedded (SQLite in <data>/events.db), "
                    + "postgres (needs postgres.url) or kafka (needs kafka.bootstrap-servers)."),
            new Setting(POSTGRES_URL, "", "JDBC URL of the PostgreSQL database, e.g. "
                    + "jdbc:postgresql://db:5432/herald?user=herald (transport=postgres)."),
            new Setting(POSTGRES_SCHEMA, "herald", "Schema Herald creates and migrates its tables in (transport=postgres)."),
            new Setting(KAFKA_BOOTSTRAP_SERVERS, "", "Kafka bootstrap servers, host:port[,host:port] "
                    + "(transport=kafka)."),
            new Setting(KAFKA_PROPERTIES, "", "A Java properties file of Kafka client settings passed through as "
                    + "they are (SASL, TLS; producer./consumer./admin. prefixes for one client; herald.* for "
                    + "Herald's own, e.g. herald.partitions) (transport=kafka)."));

    private static final Map<String, Setting> BY_KEY = SETTINGS.stream()
            .collect(Collectors.toMap(Setting::key, s -> s, (a, b) -> a, LinkedHashMap::new));

    /** Where a value came from, for error messages and {@code --print-config}. */
    public record Value(String text, String origin, Path baseDir) {
    }

    private final Map<String, Value> values;
    private final String initialAdminToken;

    private ServerConfig(Map<String, Value> values, String initialAdminToken) {
        this.values = Map.copyOf(values);
        this.initialAdminToken = initialAdminToken;
        validate();
    }

    /** The defaults. */
    public static ServerConfig defaults() {
        return fromMap(Map.of());
    }

    /** The defaults overridden by {@code settings} (keys as in {@link #SETTINGS}); for tests and embedding. */
    public static ServerConfig fromMap(Map<String, String> settings) {
        Map<String, Value> values = new LinkedHashMap<>();
        settings.forEach((key, value) -> put(values, key, value, "setting " + key, null));
        return new ServerConfig(values, null);
    }

    /**
     * Resolves the configuration of {@code herald serve}.
     *
     * @param file  the configuration file, or null for {@code HERALD_CONFIG} (or none)
     * @param env   the environment ({@link System#getenv()})
     * @param flags settings given on the command line, by key
     * @throws ConfigException naming the setting and its origin when something is wrong
     */
    public static ServerConfig load(Path file, Map<String, String> env, Map<String, String> flags) {
        Map<String, Value> values = new LinkedHashMap<>();
        Path configFile = file != null ? file
                : Optional.ofNullable(env.get(CONFIG_ENV)).filter(s -> !s.isBlank()).map(Path::of).orElse(null);
        if (configFile != null) {
            readFile(configFile).forEach((key, value) -> put(values, key, value, "file " + configFile,
                    configFile.toAbsolutePath().getParent()));
        }
        for (Setting setting : SETTINGS) {
            String value = env.get(setting.envVar());
            if (value != null && !value.isEmpty()) {
                put(values, setting.key(), value, "environment variable " + setting.envVar(), null);
            }
        }
        flags.forEach((key, value) -> put(values, key, value, "flag for " + key, null));
        String admin = env.get(ADMIN_TOKEN_ENV);
        return new ServerConfig(values, admin == null || admin.isBlank() ? null : admin.strip());
    }

    /** This configuration with one setting changed (for example the port once it is known). */
    public ServerConfig with(String key, String value) {
        Map<String, Value> changed = new LinkedHashMap<>(values);
        put(changed, key, value, "setting " + key, null);
        return new ServerConfig(changed, initialAdminToken);
    }

    /** This configuration with the first admin token set (what {@code HERALD_ADMIN_TOKEN} does). */
    public ServerConfig withInitialAdminToken(String token) {
        return new ServerConfig(values, token);
    }

    private static void put(Map<String, Value> values, String key, String value, String origin, Path baseDir) {
        if (!BY_KEY.containsKey(key)) {
            throw new ConfigException("unknown setting '" + key + "' (" + origin + ")" + suggestion(key)
                    + "; known settings: " + String.join(", ", BY_KEY.keySet()));
        }
        values.put(key, new Value(Objects.requireNonNull(value, key).strip(), origin, baseDir));
    }

    private static String suggestion(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String known : BY_KEY.keySet()) {
            int distance = distance(key, known);
            if (distance < bestDistance) {
                best = known;
                bestDistance = distance;
            }
        }
        return bestDistance <= 3 ? "; did you mean '" + best + "'?" : "";
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static Map<String, String> readFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("configuration file " + file + " does not exist or is not a file");
        }
        try {
            if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json")) {
                ObjectMapper json = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
                JsonNode root = json.readTree(file.toFile());
                if (root == null || !root.isObject()) {
                    throw new ConfigException("configuration file " + file + " must hold a JSON object");
                }
                Map<String, String> flat = new LinkedHashMap<>();
                flatten("", root, flat, file);
                return flat;
            }
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(reader);
            }
            Map<String, String> flat = new LinkedHashMap<>();
            properties.stringPropertyNames().stream().sorted().forEach(k -> flat.put(k, properties.getProperty(k)));
            return flat;
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage(), e);
        }
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> into, Path file) {
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            String key = prefix + field.getKey();
            JsonNode value = field.getValue();
            if (value.isObject()) {
                flatten(key + ".", value, into, file);
            } else if (value.isValueNode() && !value.isNull()) {
                into.put(key, value.asText());
            } else {
                throw new ConfigException("setting '" + key + "' in " + file + " must be a string, number or boolean");
            }
        }
    }

    /** Parses every setting once, so a bad value fails at start, not at first use. */
    private void validateTransport() {
        if (!TRANSPORTS.contains(transport())) {
            throw invalid(TRANSPORT, "must be one of " + String.join(", ", TRANSPORTS));
        }
        if (transport().equals("postgres") && postgresUrl().isEmpty()) {
            throw new ConfigException("transport=postgres (" + origin(TRANSPORT) + ") needs " + POSTGRES_URL);
        }
        if (transport().equals("kafka") && kafkaBootstrapServers().isEmpty()) {
            throw new ConfigException("transport=kafka (" + origin(TRANSPORT) + ") needs " + KAFKA_BOOTSTRAP_SERVERS);
        }
    }

    private void validate() {
        port();
        host();
        dataDir();
        publicUrl();
        schemasDir();
        builtinSchemas();
        compatibility();
        schemasPublic();
        positive(MAX_EVENT_BYTES, maxEventBytes());
        positive(MAX_REQUEST_BYTES, maxRequestBytes());
        positive(MAX_BATCH_EVENTS, maxBatchEvents());
        dedupWindow();
        positive(QUERY_MAX_LIMIT, queryMaxLimit());
        positive(QUERY_MAX_SCAN, queryMaxScan());
        if (rateLimit() < 0) {
            throw invalid(RATE_LIMIT, "must not be negative");
        }
        positive(RATE_BURST, rateBurst());
        if (tlsCert().isPresent() != tlsKey().isPresent()) {
            throw new ConfigException("TLS needs both " + TLS_CERT + " and " + TLS_KEY + " (only "
                    + (tlsCert().isPresent() ? TLS_CERT + " from " + origin(TLS_CERT) : TLS_KEY + " from " + origin(TLS_KEY))
                    + " is set)");
        }
        shutdownTimeout();
        positive(RETENTION_MAX_AGE, retentionMaxAge().toMillis());
        if (retentionMaxBytes() < 0) {
            throw invalid(RETENTION_MAX_BYTES, "must not be negative");
        }
        metricsPublic();
        consoleEnabled();
        validateTransport();
        positive(WEBHOOKS_CONNECT_TIMEOUT, webhooksConnectTimeout().toMillis());
        positive(WEBHOOKS_TIMEOUT, webhooksTimeout().toMillis());
        webhooksSsrfGuard();
        webhooksRequireHttps();
        if (webhooksDisableAfterFailures() < 0) {
            throw invalid(WEBHOOKS_DISABLE_AFTER_FAILURES, "must not be negative");
        }
        positive(WEBHOOKS_DISABLE_AFTER_FAILING_FOR, webhooksDisableAfterFailingFor().toMillis());
        webhooksSecretRotationGrace();
        positive(PULL_ACK_DEADLINE, pullAckDeadline().toMillis());
        if (initialAdminToken != null && initialAdminToken.length() < 32) {
            throw new ConfigException(ADMIN_TOKEN_ENV + " must be at least 32 characters long (it is "
                    + initialAdminToken.length() + "); generate one with: openssl rand -base64 32");
        }
    }

    private void positive(String key, long value) {
        if (value <= 0) {
            throw invalid(key, "must be positive");
        }
    }

    // ---- typed settings -------------------------------------------------------------------------

    public int port() {
        int port = integer(PORT);
        if (port < 0 || port > 65535) {
            throw invalid(PORT, "must be between 0 and 65535");
        }
        return port;
    }

    public String host() {
        return text(HOST);
    }

    public Path dataDir() {
        return path(DATA);
    }

    /** Whether HTTPS is configured. */
    public boolean tls() {
        return tlsCert().isPresent();
    }

    /** The public URL, always ending in {@code /}. */
    public URI publicUrl() {
        String text = text(PUBLIC_URL);
        if (text.isEmpty()) {
            text = (tls() ? "https" : "http") + "://localhost:" + port() + "/";
        }
        if (!text.endsWith("/")) {
            text = text + "/";
        }
        try {
            URI uri = new URI(text);
            if (!uri.isAbsolute() || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                throw invalid(PUBLIC_URL, "must be an absolute http or https URL");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw invalid(PUBLIC_URL, "is not a URL: " + e.getReason());
        }
    }

    /** Where schema versions are served: {@code <public-url>v1/schemas/}. */
    public URI schemasBaseUri() {
        return publicUrl().resolve("v1/schemas/");
    }

    public Path schemasDir() {
        return text(SCHEMAS_DIR).isEmpty() ? dataDir().resolve("schemas") : path(SCHEMAS_DIR);
    }

    public boolean builtinSchemas() {
        return bool(SCHEMAS_BUILTIN);
    }

    public Compatibility compatibility() {
        try {
            return Compatibility.valueOf(text(SCHEMAS_COMPATIBILITY).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw invalid(SCHEMAS_COMPATIBILITY, "must be BACKWARD, FORWARD, FULL or NONE");
        }
    }

    public boolean schemasPublic() {
        return bool(SCHEMAS_PUBLIC);
    }

    public int maxEventBytes() {
        return Math.toIntExact(Math.min(Integer.MAX_VALUE, size(MAX_EVENT_BYTES)));
    }

    public long maxRequestBytes() {
        return size(MAX_REQUEST_BYTES);
    }

    public int maxBatchEvents() {
        return integer(MAX_BATCH_EVENTS);
    }

    /** Zero when deduplication is off. */
    public Duration dedupWindow() {
        Duration window = duration(DEDUP_WINDOW);
        if (window.isNegative()) {
            throw invalid(DEDUP_WINDOW, "must not be negative");
        }
        return window;
    }

    public int queryMaxLimit() {
        return integer(QUERY_MAX_LIMIT);
    }

    public int queryMaxScan() {
        return integer(QUERY_MAX_SCAN);
    }

    /** Requests per second per token; zero when unlimited. */
    public double rateLimit() {
        try {
            return Double.parseDouble(text(RATE_LIMIT));
        } catch (NumberFormatException e) {
            throw invalid(RATE_LIMIT, "must be a number of requests per second");
        }
    }

    public int rateBurst() {
        return integer(RATE_BURST);
    }

    public Optional<Path> tlsCert() {
        return text(TLS_CERT).isEmpty() ? Optional.empty() : Optional.of(path(TLS_CERT));
    }

    public Optional<Path> tlsKey() {
        return text(TLS_KEY).isEmpty() ? Optional.empty() : Optional.of(path(TLS_KEY));
    }

    public Duration shutdownTimeout() {
        return duration(SHUTDOWN_TIMEOUT);
    }

    /** How long the embedded store keeps events (subscriptions' backlogs are always kept). */
    public Duration retentionMaxAge() {
        return duration(RETENTION_MAX_AGE);
    }

    /** The embedded store's size limit in bytes; zero when unlimited. */
    public long retentionMaxBytes() {
        return size(RETENTION_MAX_BYTES);
    }

    public boolean metricsPublic() {
        return bool(METRICS_PUBLIC);
    }

    /** Whether {@code /console} serves the web console. */
    public boolean consoleEnabled() {
        return bool(CONSOLE_ENABLED);
    }

    public Duration webhooksConnectTimeout() {
        return duration(WEBHOOKS_CONNECT_TIMEOUT);
    }

    public Duration webhooksTimeout() {
        return duration(WEBHOOKS_TIMEOUT);
    }

    public boolean webhooksSsrfGuard() {
        return bool(WEBHOOKS_SSRF_GUARD);
    }

    /** The SSRF guard's exceptions, in the order written. */
    public List<String> webhooksSsrfAllow() {
        return Arrays.stream(text(WEBHOOKS_SSRF_ALLOW).split(",")).map(String::strip).filter(e -> !e.isEmpty())
                .toList();
    }

    public boolean webhooksRequireHttps() {
        return bool(WEBHOOKS_REQUIRE_HTTPS);
    }

    public int webhooksDisableAfterFailures() {
        return integer(WEBHOOKS_DISABLE_AFTER_FAILURES);
    }

    public Duration webhooksDisableAfterFailingFor() {
        return duration(WEBHOOKS_DISABLE_AFTER_FAILING_FOR);
    }

    public Duration webhooksSecretRotationGrace() {
        return duration(WEBHOOKS_SECRET_ROTATION_GRACE);
    }

    public Duration pullAckDeadline() {
        return duration(PULL_ACK_DEADLINE);
    }

    /** {@code embedded}, {@code postgres} or {@code kafka}. */
    public String transport() {
        return text(TRANSPORT);
    }

    /** The PostgreSQL JDBC URL (transport=postgres). */
    public String postgresUrl() {
        return text(POSTGRES_URL);
    }

    /** The PostgreSQL schema Herald's tables live in. */
    public String postgresSchema() {
        return text(POSTGRES_SCHEMA);
    }

    /** The Kafka bootstrap servers (transport=kafka). */
    public String kafkaBootstrapServers() {
        return text(KAFKA_BOOTSTRAP_SERVERS);
    }

    /** The Kafka client properties file, if one is set. */
    public Optional<Path> kafkaProperties() {
        return text(KAFKA_PROPERTIES).isEmpty() ? Optional.empty() : Optional.of(path(KAFKA_PROPERTIES));
    }

    /** {@code HERALD_ADMIN_TOKEN}: becomes the admin token when the server starts with no token at all. */
    public Optional<String> initialAdminToken() {
        return Optional.ofNullable(initialAdminToken);
    }

    /** Every setting's effective value and where it came from ({@code default} when not set). */
    public List<Map.Entry<Setting, Value>> describe() {
        List<Map.Entry<Setting, Value>> described = new ArrayList<>();
        for (Setting setting : SETTINGS) {
            Value value = values.get(setting.key());
            String effective = switch (setting.key()) {
                case PUBLIC_URL -> publicUrl().toString();
                case SCHEMAS_DIR -> schemasDir().toString();
                case DATA -> dataDir().toString();
                default -> value == null ? Objects.requireNonNullElse(setting.defaultText(), "") : value.text();
            };
            described.add(Map.entry(setting, new Value(effective, value == null ? "default" : value.origin(), null)));
        }
        return described;
    }

    // ---- parsing --------------------------------------------------------------------------------

    private String text(String key) {
        Value value = values.get(key);
        if (value != null) {
            return value.text();
        }
        return Objects.requireNonNullElse(BY_KEY.get(key).defaultText(), "");
    }

    private String origin(String key) {
        Value value = values.get(key);
        return value == null ? "default" : value.origin();
    }

    private ConfigException invalid(String key, String problem) {
        return new ConfigException("setting " + key + " = '" + text(key) + "' (" + origin(key) + ") " + problem);
    }

    private int integer(String key) {
        try {
            return Integer.parseInt(text(key));
        } catch (NumberFormatException e) {
            throw invalid(key, "must be a whole number");
        }
    }

    private boolean bool(String key) {
        return switch (text(key).toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw invalid(key, "must be true or false");
        };
    }

    private Path path(String key) {
        Value value = values.get(key);
        Path path = Path.of(text(key));
        if (value != null && value.baseDir() != null && !path.isAbsolute()) {
            return value.baseDir().resolve(path).normalize();
        }
        return path;
    }

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([KMG]i?B)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private long size(String key) {
        Matcher m = SIZE.matcher(text(key));
        if (!m.matches()) {
            throw invalid(key, "must be a size in bytes, e.g. 1048576, 512KiB, 1MiB, 10MB");
        }
        long number = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2).toUpperCase(Locale.ROOT);
        long factor = switch (unit) {
            case "" -> 1;
            case "KIB" -> 1L << 10;
            case "MIB" -> 1L << 20;
            case "GIB" -> 1L << 30;
            case "KB" -> 1_000;
            case "MB" -> 1_000_000;
            case "GB" -> 1_000_000_000;
            default -> throw invalid(key, "has an unknown unit " + unit);
        };
        return Math.multiplyExact(number, factor);
    }

    /** Parses {@code 500ms}, {@code 30s}, {@code 15m}, {@code 24h}, {@code 7d}, {@code 0} or ISO-8601. */
    public static Duration parseDuration(String text) {
        String trimmed = text.strip();
        if (trimmed.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = DURATION.matcher(trimmed);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(trimmed);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (500ms, 30s, 15m, 24h, 7d or PT24H)");
        }
    }

    private Duration duration(String key) {
        try {
            return parseDuration(text(key));
        } catch (IllegalArgumentException e) {
            throw invalid(key, "must be a duration such as 500ms, 30s, 15m, 24h, 7d or PT24H");
        }
    }

    @Override
    public String toString() {
        return describe().stream().map(e -> e.getKey().key() + "=" + e.getValue().text())
                .collect(Collectors.joining(", ", "ServerConfig[", "]"));
    }
}
