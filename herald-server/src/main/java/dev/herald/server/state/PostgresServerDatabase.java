package dev.herald.server.state;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state in a PostgreSQL schema shared by every instance.
 *
 * <ul>
 *   <li><b>Migrations</b> run under a transaction-independent advisory lock on the schema's name, so
 *       instances starting together migrate once and the others wait, then find nothing to do.</li>
 *   <li><b>Change feed.</b> {@link #changed} sends {@code NOTIFY} on the channel {@code <schema>_changes} with
 *       this instance's id and the topic; one connection per instance {@code LISTEN}s and calls the
 *       listeners for other instances' changes. A notice sent
 *       while an instance's listener was disconnected is lost, so the listeners also get
 *       {@link ServerDatabase#RESYNC} after each reconnection and every {@link #RESYNC_EVERY}.</li>
 * </ul>
 */
final class PostgresServerDatabase implements ServerDatabase {

    /** How often every instance reloads its caches even without a notice. */
    static final Duration RESYNC_EVERY = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(PostgresServerDatabase.class);
    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,50}");
    private static final int WAIT_MILLIS = 250;

    private final HikariDataSource pool;
    private final SecretBox secrets;
    private final String channel;
    private final String instance = UUID.randomUUID().toString();
    private final ChangeFeed feed = new ChangeFeed();
    private final Thread listener;
    private volatile boolean closed;

    private PostgresServerDatabase(HikariDataSource pool, String schema, SecretBox secrets) {
        this.pool = pool;
        this.secrets = secrets;
        this.channel = schema + "_changes";
        this.listener = Thread.ofPlatform().daemon().name("herald-state-listener").unstarted(this::listen);
    }

    /** The pool size of {@code state.pool-size}'s default. */
    static final int DEFAULT_POOL_SIZE = 16;

    static PostgresServerDatabase open(String url, String schema, SecretBox secrets, int poolSize) {
        if (!SCHEMA.matcher(schema).matches()) {
            throw new IllegalArgumentException("state.schema: '" + schema + "' is not a lowercase SQL identifier "
                    + "(letters, digits, underscores; at most 51 characters)");
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setPoolName("herald-state");
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(1);
        // Fail fast while the database is unreachable, as the PostgreSQL transport does: intake answers 503.
        config.setConnectionTimeout(5_000);
        config.setAutoCommit(true);
        config.setConnectionInitSql("SET search_path TO \"" + schema + "\"");
        config.addDataSourceProperty("ApplicationName", "herald-state");
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot connect to the state database " + redact(url) + ": "
                    + e.getMessage(), e);
        }
        try {
            migrate(pool, schema);
            PostgresServerDatabase db = new PostgresServerDatabase(pool, schema, secrets);
            db.listener.start();
            return db;
        } catch (SQLException | RuntimeException e) {
            pool.close();
            throw new IllegalStateException("cannot open the server state in schema " + schema + " of "
                    + redact(url) + ": " + e.getMessage(), e);
        }
    }

    private static void migrate(HikariDataSource pool, String schema) throws SQLException {
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
            long lock = ("herald-state:" + schema).hashCode();
            statement.execute("SELECT pg_advisory_lock(" + lock + ")");
            try {
                statement.execute("CREATE SCHEMA IF NOT EXISTS \"" + schema + "\"");
                statement.execute("SET search_path TO \"" + schema + "\"");
                int applied = Migrations.apply(connection, Dialect.POSTGRES, Migrations.ALL);
                LOG.info("server state in PostgreSQL schema {}: {} migrations applied, at version {}", schema, applied,
                        Migrations.currentVersion(connection));
            } finally {
                statement.execute("SELECT pg_advisory_unlock(" + lock + ")");
            }
        }
    }

    @Override
    public <T> T with(Work<T> work) {
        try (Connection connection = pool.getConnection()) {
            return work.run(connection);
        } catch (SQLException e) {
            if (unreachable(e)) {
                throw new StateUnavailableException("the state database is unreachable: " + e.getMessage(), e);
            }
            throw new IllegalStateException("server state: " + e.getMessage(), e);
        }
    }

    /** No connection within the pool's timeout, or SQLSTATE class 08 (connection exception). */
    private static boolean unreachable(SQLException e) {
        return e instanceof java.sql.SQLTransientConnectionException
                || (e.getSQLState() != null && e.getSQLState().startsWith("08"));
    }

    @Override
    public SecretBox secrets() {
        return secrets;
    }

    @Override
    public Dialect dialect() {
        return Dialect.POSTGRES;
    }

    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public void changed(String topic) {
        try {
            with(connection -> {
                try (PreparedStatement notify = connection.prepareStatement("SELECT pg_notify(?, ?)")) {
                    notify.setString(1, channel);
                    notify.setString(2, instance + " " + topic);
                    notify.execute();
                }
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warn("could not announce the change {} to the other instances; they see it at their next resync", topic,
                    e);
        }
    }

    @Override
    public void onChange(Consumer<String> listener) {
        feed.add(listener);
    }

    private void listen() {
        long backoff = 100;
        long nextResync = System.nanoTime() + RESYNC_EVERY.toNanos();
        Connection connection = null;
        while (!closed) {
            try {
                if (connection == null) {
                    connection = pool.getConnection();
                    try (Statement statement = connection.createStatement()) {
                        statement.execute("LISTEN \"" + channel + '"');
                    }
                    feed.publish(RESYNC);
                    backoff = 100;
                }
                PGNotification[] notifications = connection.unwrap(PGConnection.class).getNotifications(WAIT_MILLIS);
                if (notifications != null) {
                    for (PGNotification notification : notifications) {
                        dispatch(notification.getParameter());
                    }
                }
                if (System.nanoTime() - nextResync > 0) {
                    nextResync = System.nanoTime() + RESYNC_EVERY.toNanos();
                    feed.publish(RESYNC);
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    break;
                }
                LOG.warn("the state change listener lost its connection; reconnecting in {} ms", backoff, e);
                connection = release(connection);
                sleep(backoff);
                backoff = Math.min(backoff * 2, 5_000);
            }
        }
        release(connection);
    }

    private void dispatch(String payload) {
        int space = payload.indexOf(' ');
        if (space < 0 || payload.substring(0, space).equals(instance)) {
            return;
        }
        feed.publish(payload.substring(space + 1));
    }

    private static Connection release(Connection connection) {
        if (connection != null) {
            try (connection; Statement statement = connection.createStatement()) {
                statement.execute("UNLISTEN *");
            } catch (SQLException e) {
                LOG.debug("releasing the listener's connection failed", e);
            }
        }
        return null;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The URL without its query (which may hold a password). */
    static String redact(String url) {
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query) + "?…";
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pool.close();
    }
}
