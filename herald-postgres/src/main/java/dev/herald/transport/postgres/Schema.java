package dev.herald.transport.postgres;

import dev.herald.transport.TransportException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Herald's tables, created and upgraded by numbered migrations. {@code schema_version} records every
 * migration applied; opening a transport applies the missing ones in one transaction, under a
 * transaction-scoped advisory lock, so that processes starting together neither race nor apply a
 * migration twice. Migrations are only ever appended: a released migration never changes.
 *
 * <h2>Tables</h2>
 * <ul>
 *   <li>{@code topics} — one row per topic; events refer to it by id.</li>
 *   <li>{@code events} — the log: one row per published event, with the structured JSON form as
 *       published ({@code bytea}, so it comes back byte-identical), its ordering key, its publish
 *       time, and the id of the transaction that wrote it ({@code xid8}). The log order of a topic is
 *       {@code (xid, seq)}; see {@link PostgresTransport} for why. Since version 2 also the attributes
 *       queries filter on ({@code type}, {@code project}, {@code subject}, {@code source},
 *       {@code event_time}), indexed by type, project and time.</li>
 *   <li>{@code subscriptions} — definition and position: the last {@code (xid, seq)} pulled, plus
 *       the filters a start position may need (a snapshot whose events are skipped, a first publish
 *       time), and the counter numbering its deliveries. Since version 3 also its native filter
 *       ({@code native_filter}, see {@code StoredFilter}), NULL for none.</li>
 *   <li>{@code deliveries} — per subscription, every event from the moment it is pulled from the log
 *       until it is acknowledged or dead-lettered, with its lease.</li>
 *   <li>{@code dead_letters} — events a subscription gave up on, each with its own copy of the event.</li>
 *   <li>{@code members} — one row per running transport; the row's id is held as a session advisory
 *       lock while the process lives, so its leases can be released as soon as it dies.</li>
 * </ul>
 */
final class Schema {

    /** One step of the schema's history. */
    record Migration(int version, String description, List<String> statements) {
    }

    static final List<Migration> MIGRATIONS = List.of(
            new Migration(1, "topics, events, subscriptions, deliveries, dead letters, members", List.of(
                    """
                    CREATE TABLE ${s}.topics (
                        id   integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                        name text NOT NULL UNIQUE
                    )""",
                    // xid: the writing transaction (pg_current_xact_id, the top-level one even inside a
                    // savepoint). Sequences are handed out at insert, not at commit, so seq alone is
                    // not an order in which events become visible; (xid, seq) below the horizon is.
                    """
                    CREATE TABLE ${s}.events (
                        seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                        topic_id     integer NOT NULL,
                        xid          xid8 NOT NULL DEFAULT pg_current_xact_id(),
                        published_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                        ordering_key text,
                        data         bytea NOT NULL
                    )""",
                    "CREATE INDEX events_log ON ${s}.events (topic_id, xid, seq)",
                    "CREATE INDEX events_by_time ON ${s}.events (topic_id, published_at)",
                    // cursor_xid/cursor_seq: the last log position pulled into deliveries.
                    // skip_snapshot: events visible in it are skipped (a start at "latest" must skip
                    // what was committed then, however its xid compares). start_time: events
                    // published earlier are skipped (a start at an instant). next_pos: numbers
                    // deliveries in pull order.
                    """
                    CREATE TABLE ${s}.subscriptions (
                        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                        name          text NOT NULL UNIQUE,
                        topic_id      integer NOT NULL,
                        start         text NOT NULL,
                        ordered       boolean NOT NULL,
                        delay_micros  bigint NOT NULL,
                        cursor_xid    xid8 NOT NULL,
                        cursor_seq    bigint NOT NULL,
                        skip_snapshot pg_snapshot,
                        start_time    timestamptz,
                        next_pos      bigint NOT NULL DEFAULT 0,
                        created_at    timestamptz NOT NULL DEFAULT clock_timestamp()
                    )""",
                    "CREATE INDEX subscriptions_by_topic ON ${s}.subscriptions (topic_id)",
                    // visible_at: when the delivery may be handed out next; while leased, the lease
                    // expiry. leased_by: the consumer holding it (member id in the high 32 bits),
                    // NULL when not in flight. redriven_event: a redriven dead letter's copy of the
                    // event, which retention may have removed from the log meanwhile.
                    """
                    CREATE TABLE ${s}.deliveries (
                        subscription_id  bigint NOT NULL,
                        pos              bigint NOT NULL,
                        seq              bigint NOT NULL,
                        ordering_key     text,
                        published_at     timestamptz NOT NULL,
                        visible_at       timestamptz NOT NULL,
                        attempts         integer NOT NULL DEFAULT 0,
                        leased_by        bigint,
                        first_attempt_at timestamptz,
                        redriven_event   bytea,
                        PRIMARY KEY (subscription_id, pos),
                        UNIQUE (subscription_id, seq)
                    )""",
                    "CREATE INDEX deliveries_by_visibility ON ${s}.deliveries (subscription_id, visible_at)",
                    "CREATE INDEX deliveries_by_key ON ${s}.deliveries (subscription_id, ordering_key, pos)",
                    "CREATE INDEX deliveries_by_lease ON ${s}.deliveries (leased_by) WHERE leased_by IS NOT NULL",
                    """
                    CREATE TABLE ${s}.dead_letters (
                        id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                        subscription_id  bigint NOT NULL,
                        pos              bigint NOT NULL,
                        seq              bigint NOT NULL,
                        ordering_key     text,
                        published_at     timestamptz NOT NULL,
                        event            bytea NOT NULL,
                        attempts         integer NOT NULL,
                        last_error       text NOT NULL,
                        first_attempt_at timestamptz NOT NULL,
                        dead_at          timestamptz NOT NULL
                    )""",
                    "CREATE INDEX dead_letters_by_subscription ON ${s}.dead_letters (subscription_id, id)",
                    """
                    CREATE TABLE ${s}.members (
                        id         integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                        started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                        client     text NOT NULL
                    )""")),
            // The query capability (Transport.query): the attributes a query filters on, copied out of
            // the event at insert so that SQL and its indexes can select. Existing rows are filled
            // from their stored JSON once, here. A page is read in log order (xid, seq): the type and
            // project indexes end with it, so an exact type or project pages straight off the index.
            new Migration(2, "query columns (type, project, subject, source, time) with their indexes", List.of(
                    """
                    ALTER TABLE ${s}.events
                        ADD COLUMN type       text,
                        ADD COLUMN project    text,
                        ADD COLUMN subject    text,
                        ADD COLUMN source     text,
                        ADD COLUMN event_time timestamptz""",
                    """
                    UPDATE ${s}.events AS e
                    SET type = j ->> 'type', project = j ->> 'project', subject = j ->> 'subject',
                        source = j ->> 'source', event_time = (j ->> 'time')::timestamptz
                    FROM (SELECT seq, convert_from(data, 'UTF8')::jsonb AS j FROM ${s}.events) AS parsed
                    WHERE e.seq = parsed.seq""",
                    // text_pattern_ops: a type glob with a literal prefix (ci.*) is a LIKE 'ci.%' range scan.
                    "CREATE INDEX events_by_type ON ${s}.events (topic_id, type text_pattern_ops, xid, seq)",
                    "CREATE INDEX events_by_project ON ${s}.events (topic_id, project, xid, seq)"
                            + " WHERE project IS NOT NULL",
                    "CREATE INDEX events_by_event_time ON ${s}.events (topic_id, event_time)")),
            // Native filtering: a pull inserts only the events the subscription's filter accepts (SqlFilter).
            // NULL, what existing subscriptions get, is no filter. text, not jsonb: see StoredFilter.
            new Migration(3, "subscriptions' native filter", List.of(
                    "ALTER TABLE ${s}.subscriptions ADD COLUMN native_filter text")));

    private Schema() {
    }

    /** The version a schema has once {@link #migrate} ran. */
    static int latestVersion() {
        return MIGRATIONS.getLast().version();
    }

    /**
     * Brings the schema to {@link #latestVersion()}, creating it if needed; does nothing when it is
     * there already. Safe to run from many processes at once.
     *
     * @return the version the schema had before
     * @throws TransportException when the schema was written by a newer Herald
     */
    static int migrate(Db db, int lockKey) {
        return db.durable("migrating the schema " + db.schema(), connection -> {
            try (Statement statement = connection.createStatement()) {
                // Before anything else: CREATE SCHEMA IF NOT EXISTS itself races between sessions.
                statement.execute("SELECT pg_advisory_xact_lock(" + lockKey + ", 0)");
                statement.execute("CREATE SCHEMA IF NOT EXISTS " + db.quotedSchema());
                statement.execute(db.sql("CREATE TABLE IF NOT EXISTS ${s}.schema_version ("
                        + "version integer PRIMARY KEY, description text NOT NULL,"
                        + " applied_at timestamptz NOT NULL DEFAULT clock_timestamp())"));
                int current;
                try (ResultSet rs = statement.executeQuery(
                        db.sql("SELECT COALESCE(MAX(version), 0) FROM ${s}.schema_version"))) {
                    rs.next();
                    current = rs.getInt(1);
                }
                if (current > latestVersion()) {
                    throw new TransportException("the schema " + db.schema() + " is at version " + current
                            + ", newer than this Herald knows (" + latestVersion() + "): upgrade Herald");
                }
                for (Migration migration : MIGRATIONS) {
                    if (migration.version() > current) {
                        apply(db, connection, statement, migration);
                    }
                }
                return current;
            }
        });
    }

    private static void apply(Db db, Connection connection, Statement statement, Migration migration)
            throws SQLException {
        for (String sql : migration.statements()) {
            statement.execute(db.sql(sql));
        }
        try (PreparedStatement insert = connection.prepareStatement(
                db.sql("INSERT INTO ${s}.schema_version (version, description) VALUES (?, ?)"))) {
            insert.setInt(1, migration.version());
            insert.setString(2, migration.description());
            insert.executeUpdate();
        }
    }
}
