package dev.herald.transport.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.filter.EventAttributes;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.NativeFilter;
import dev.herald.transport.NativeFilter.All;
import dev.herald.transport.NativeFilter.Any;
import dev.herald.transport.NativeFilter.Exact;
import dev.herald.transport.NativeFilter.Not;
import dev.herald.transport.NativeFilter.Prefix;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link SqlFilter} against real PostgreSQL: over events stored by the transport (so the columns and the JSON
 * are what a pull reads), the predicate accepts exactly the events {@link NativeFilter#matches} accepts on the
 * event a consumer receives, wherever SQL can decide, and at least those everywhere else.
 */
class SqlFilterTest {

    private static final String TOPIC = "filtered";
    /** LIKE's metacharacters, SQL's and JSON's quotes and escapes, accents, a character beyond the BMP, CJK. */
    private static final List<String> SUBJECTS = Arrays.asList("a%b", "a_b", "a\\b", "ab", "it's", "say \"hi\"",
            "naïve/é", "😀/x", "中文/主题", "", null, "%", "_", "\\", "A%b", "a");
    private static final List<String> TYPES = List.of("t.one", "t.two", "t.%", "t._x", "T.ONE");
    private static final List<String> SOURCES = List.of("urn:a", "https://x.example/y?q=1%202", "urn:a'b");
    private static final List<String> PROJECTS = Arrays.asList("p1", "p_1", null, "p1%");
    private static final List<Object> TENANTS = Arrays.asList("x%y", "x", null, "ü", "x_y", "\\x");
    private static final List<Object> PRIORITIES = Arrays.asList(5, 50, null);
    private static final List<Object> URGENT = Arrays.asList(true, false, null, true, null);
    private static final List<String> SCHEMAS = Arrays.asList("https://s.example/v1", null);
    /** Attributes SQL decides exactly: columns, JSON strings and booleans, and one no event has. */
    private static final List<String> DECIDED = List.of("type", "subject", "source", "project", "tenant",
            "urgent", "dataschema", "id", "specversion", "nosuchext");
    private static final List<String> TRICKY = List.of("%", "_", "\\", "'", "\"", "a%", "a_", "", "😀", "中",
            "x%", "x\\");

    private static TestDatabase database;
    private static PostgresTransport transport;
    /** One connection for every query: a connection per query would make the random test take seconds. */
    private static Connection connection;
    /** The events as stored, by id, in the form a consumer receives them. */
    private static final Map<String, CloudEvent> STORED = new LinkedHashMap<>();

    @BeforeAll
    static void storeEvents() {
        database = TestDatabase.create();
        transport = PostgresTransport.open(database.jdbcUrl(), database.options());
        List<CloudEvent> events = new ArrayList<>();
        for (int i = 0; i < 96; i++) {
            CloudEventBuilder builder = CloudEventBuilder.v1().withId("e" + i)
                    .withType(TYPES.get(i % TYPES.size()))
                    .withSource(URI.create(SOURCES.get(i % SOURCES.size())))
                    .withSubject(SUBJECTS.get(i % SUBJECTS.size()))
                    .withData("application/json", "{\"n\":1}".getBytes(StandardCharsets.UTF_8));
            String schema = SCHEMAS.get(i % SCHEMAS.size());
            if (schema != null) {
                builder.withDataSchema(URI.create(schema));
            }
            extension(builder, "project", PROJECTS.get(i % PROJECTS.size()));
            extension(builder, "tenant", TENANTS.get(i % TENANTS.size()));
            extension(builder, "priority", PRIORITIES.get(i % PRIORITIES.size()));
            extension(builder, "urgent", URGENT.get(i % URGENT.size()));
            events.add(builder.build());
        }
        transport.publish(TOPIC, EncodedEvent.all(events));
        try {
            connection = DriverManager.getConnection(database.jdbcUrl());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT data FROM " + table() + " ORDER BY seq")) {
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    CloudEvent stored = EventLog.read(rs.getBytes(1));
                    STORED.put(stored.getId(), stored);
                }
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertThat(STORED).hasSize(events.size());
    }

    @AfterAll
    static void dropSchema() throws Exception {
        if (connection != null) {
            connection.close();
        }
        if (transport != null) {
            transport.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void prefixesMatchTheirCharactersLiterallyNotAsPatterns() throws Exception {
        assertThat(acceptedBySql(new Prefix("subject", "a%"))).containsExactlyInAnyOrderElementsOf(ids("a%b"));
        assertThat(acceptedBySql(new Prefix("subject", "a_"))).containsExactlyInAnyOrderElementsOf(ids("a_b"));
        assertThat(acceptedBySql(new Prefix("subject", "a\\"))).containsExactlyInAnyOrderElementsOf(ids("a\\b"));
        assertThat(acceptedBySql(new Prefix("subject", "%"))).containsExactlyInAnyOrderElementsOf(ids("%"));
        assertThat(acceptedBySql(new Prefix("subject", "😀"))).containsExactlyInAnyOrderElementsOf(ids("😀/x"));
        assertThat(acceptedBySql(new Exact("subject", "it's"))).containsExactlyInAnyOrderElementsOf(ids("it's"));
        assertThat(acceptedBySql(new Prefix("tenant", "x_"))).containsExactlyInAnyOrderElementsOf(
                expected(new Prefix("tenant", "x_"))).isNotEmpty();
        assertThat(acceptedBySql(new Exact("type", "t.one"))).as("case-sensitive")
                .containsExactlyInAnyOrderElementsOf(expected(new Exact("type", "t.one")))
                .doesNotContainAnyElementsOf(expected(new Exact("type", "T.ONE")));
    }

    @Test
    void anEventWithoutTheAttributeMatchesNoConditionOnItSoItsNegationAcceptsIt() throws Exception {
        NativeFilter withoutSubject = new Not(new Prefix("subject", ""));
        assertThat(acceptedBySql(withoutSubject)).containsExactlyInAnyOrderElementsOf(ids((String) null)).isNotEmpty();
        NativeFilter withoutTenant = new Not(new Prefix("tenant", ""));
        assertThat(acceptedBySql(withoutTenant)).containsExactlyInAnyOrderElementsOf(expected(withoutTenant))
                .isNotEmpty().hasSizeLessThan(STORED.size());
        assertThat(acceptedBySql(new Not(new Exact("nosuchext", "x")))).hasSize(STORED.size());
    }

    @Test
    void emptyAllAcceptsEverythingAndEmptyAnyNothing() throws Exception {
        assertThat(SqlFilter.compile(NativeFilter.ALL, "e")).isSameAs(SqlFilter.NONE);
        assertThat(acceptedBySql(new Any(List.of()))).isEmpty();
        assertThat(acceptedBySql(new Not(new Any(List.of())))).hasSize(STORED.size());
        assertThat(acceptedBySql(new Not(new All(List.of())))).isEmpty();
        assertThat(acceptedBySql(new All(List.of(new All(List.of()), new Exact("type", "t.two")))))
                .containsExactlyInAnyOrderElementsOf(expected(new Exact("type", "t.two")));
    }

    @Test
    void randomNestingsOfAllAnyAndNotAcceptExactlyWhatTheFilterAccepts() throws Exception {
        Random random = new Random(20261206);
        for (int i = 0; i < 400; i++) {
            NativeFilter filter = randomFilter(random, 3);
            assertThat(acceptedBySql(filter)).as("%s", filter).containsExactlyInAnyOrderElementsOf(expected(filter));
        }
    }

    @Test
    void whatSqlCannotDecideIsAcceptedWhereItCouldChangeTheOutcome() throws Exception {
        NativeFilter onTime = new Exact("time", "2026-01-01T00:00:00Z");
        NativeFilter withNul = new Exact("subject", "a\0");
        NativeFilter unpaired = new Prefix("subject", "\uD83D");
        NativeFilter typeOne = new Exact("type", "t.one");
        for (NativeFilter unknown : List.of(onTime, withNul, unpaired, new Exact("datacontenttype", "x"),
                new Exact("Tenant", "x"))) {
            assertThat(acceptedBySql(unknown)).as("%s", unknown).hasSize(STORED.size());
            assertThat(acceptedBySql(new Not(unknown))).as("not %s", unknown).hasSize(STORED.size());
            // all: the decided part still rejects; any: the unknown branch lets everything through.
            assertThat(acceptedBySql(new All(List.of(typeOne, unknown)))).containsExactlyInAnyOrderElementsOf(
                    expected(typeOne));
            assertThat(acceptedBySql(new Any(List.of(typeOne, unknown)))).hasSize(STORED.size());
            // ...unless the decided part settles it on its own.
            assertThat(acceptedBySql(new Any(List.of(new Not(new Any(List.of())), unknown)))).hasSize(STORED.size());
            assertThat(acceptedBySql(new All(List.of(new Any(List.of()), unknown)))).isEmpty();
        }
    }

    @Test
    void aNumberIsUnknownSoEveryEventWithTheMemberPasses() throws Exception {
        assertThat(acceptedBySql(new Exact("priority", "5")))
                .containsExactlyInAnyOrderElementsOf(expected(new Prefix("priority", "")))
                .hasSizeGreaterThan(expected(new Exact("priority", "5")).size());
    }

    @Test
    void eventsWhoseJsonPostgresqlWouldRefuseAreLetThroughJsonConditionsAndDecidedByColumns() throws Exception {
        String topic = "producer-bytes";
        // Stored as a producer wrote them: an escaped NUL, escaped unpaired surrogates (and a pair, which
        // PostgreSQL reads), the integer 0 as -0.
        transport.publish(topic, List.of(
                stored("nul", "\"tenant\":\"x\",\"data\":{\"text\":\"a\\u0000b\"}"),
                stored("surrogate", "\"tenant\":\"x\",\"data\":{\"text\":\"a\\uD800b\"}"),
                stored("low", "\"tenant\":\"x\",\"data\":{\"text\":\"a\\udc00\"}"),
                stored("pair", "\"tenant\":\"x\",\"data\":{\"text\":\"\\ud83d\\ude00\"}"),
                stored("minus-zero", "\"tenant\":\"x\",\"priority\":-0"),
                stored("plain", "\"tenant\":\"x\"")));
        // PostgreSQL refuses the first three documents as json: without the guard these queries would fail.
        Set<String> refused = Set.of("nul", "surrogate", "low");
        assertThat(acceptedBySql(topic, new Exact("tenant", "other"))).containsExactlyInAnyOrderElementsOf(refused);
        assertThat(acceptedBySql(topic, new Not(new Exact("tenant", "x")))).containsExactlyInAnyOrderElementsOf(refused);
        assertThat(acceptedBySql(topic, new Exact("tenant", "x"))).hasSize(6);
        assertThat(acceptedBySql(topic, new Exact("type", "t.other"))).isEmpty();
        assertThat(acceptedBySql(topic, new Exact("type", "t.stored"))).hasSize(6);
        // The consumer's event has the integer 0, whose canonical form is "0", not the stored "-0".
        assertThat(EventAttributes.asString(storedEvent(topic, "minus-zero"), "priority")).isEqualTo("0");
        assertThat(acceptedBySql(topic, new Exact("priority", "0"))).contains("minus-zero");
    }

    @Test
    void valuesAreBoundNeverWrittenIntoTheStatement() {
        String hostile = "x'); DROP TABLE events; --";
        SqlFilter filter = SqlFilter.compile(new Any(List.of(new Exact("subject", hostile),
                new Prefix("tenant", hostile))), "e");
        assertThat(filter.sql()).doesNotContain("DROP").doesNotContain("tenant");
        assertThat(filter.parameters()).containsExactly(hostile, hostile, "tenant");
    }

    /** An event stored with the given JSON members after its required ones, byte for byte. */
    private static EncodedEvent stored(String id, String members) {
        String json = "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"urn:stored\",\"type\":\"t.stored\","
                + members + "}";
        CloudEvent event = EventLog.read(json.getBytes(StandardCharsets.UTF_8));
        return EncodedEvent.of(event, json.getBytes(StandardCharsets.UTF_8));
    }

    private static CloudEvent storedEvent(String topic, String id) throws Exception {
        try (PreparedStatement select = connection.prepareStatement("SELECT e.data FROM " + table() + " e JOIN \""
                + database.schema() + "\".topics t ON t.id = e.topic_id WHERE t.name = ?")) {
            select.setString(1, topic);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    CloudEvent event = EventLog.read(rs.getBytes(1));
                    if (event.getId().equals(id)) {
                        return event;
                    }
                }
            }
        }
        throw new AssertionError("no stored event " + id);
    }

    private static NativeFilter randomFilter(Random random, int depth) {
        int kind = random.nextInt(depth == 0 ? 2 : 5);
        return switch (kind) {
            case 0, 1 -> {
                String attribute = DECIDED.get(random.nextInt(DECIDED.size()));
                String value = randomValue(random, attribute);
                yield kind == 0 ? new Exact(attribute, value) : new Prefix(attribute, prefix(random, value));
            }
            case 2 -> new All(randomFilters(random, depth - 1));
            case 3 -> new Any(randomFilters(random, depth - 1));
            default -> new Not(randomFilter(random, depth - 1));
        };
    }

    private static List<NativeFilter> randomFilters(Random random, int depth) {
        List<NativeFilter> filters = new ArrayList<>();
        for (int n = random.nextInt(4); n > 0; n--) {
            filters.add(randomFilter(random, depth));
        }
        return filters;
    }

    /** A value some event has for the attribute, mostly; sometimes a tricky one. */
    private static String randomValue(Random random, String attribute) {
        if (random.nextInt(4) == 0) {
            return TRICKY.get(random.nextInt(TRICKY.size()));
        }
        List<CloudEvent> events = List.copyOf(STORED.values());
        String value = EventAttributes.asString(events.get(random.nextInt(events.size())), attribute);
        return value == null ? "" : value;
    }

    /** A prefix ending between code points, so that it stays representable. */
    private static String prefix(Random random, String value) {
        int codePoints = value.codePointCount(0, value.length());
        return value.substring(0, value.offsetByCodePoints(0, random.nextInt(codePoints + 1)));
    }

    private static void extension(CloudEventBuilder builder, String name, Object value) {
        switch (value) {
            case null -> { }
            case String text -> builder.withExtension(name, text);
            case Integer number -> builder.withExtension(name, number);
            case Boolean flag -> builder.withExtension(name, flag);
            default -> throw new IllegalArgumentException(value.toString());
        }
    }

    /** Ids of the stored events with this subject. */
    private static Set<String> ids(String subject) {
        return STORED.values().stream().filter(e -> Objects.equals(e.getSubject(), subject))
                .map(CloudEvent::getId).collect(Collectors.toCollection(TreeSet::new));
    }

    /** What the reference semantics accept, on the events as a consumer receives them. */
    private static Set<String> expected(NativeFilter filter) {
        return STORED.values().stream().filter(filter::matches).map(CloudEvent::getId)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> acceptedBySql(NativeFilter filter) throws Exception {
        return acceptedBySql(TOPIC, filter);
    }

    private static Set<String> acceptedBySql(String topic, NativeFilter filter) throws Exception {
        SqlFilter sql = SqlFilter.compile(filter, "e");
        Set<String> ids = new TreeSet<>();
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT e.data FROM " + table() + " e WHERE e.topic_id = (SELECT id FROM \"" + database.schema()
                        + "\".topics WHERE name = ?) AND " + sql.sql())) {
            select.setString(1, topic);
            sql.bind(select, 2);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    ids.add(EventLog.read(rs.getBytes(1)).getId());
                }
            }
        }
        return ids;
    }

    private static String table() {
        return "\"" + database.schema() + "\".events";
    }
}
